package org.jifen.api.boards;

import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.jifen.api.identity.Access;
import org.jifen.api.village.HouseholdId;
import org.jifen.api.village.RegionId;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Boards of a village, a household's ranks, and the admin's rebuild and check. */
@RestController
@Tag(name = "Boards", description = "Household rankings per village, town and county")
class BoardsController {

	private final Boards boards;

	private final Access access;

	private final BlackBoard blackBoard;

	private final StarHistory starHistory;

	BoardsController(Boards boards, Access access, BlackBoard blackBoard, StarHistory starHistory) {
		this.blackBoard = blackBoard;
		this.starHistory = starHistory;
		this.boards = boards;
		this.access = access;
	}

	@GetMapping(path = "/api/v1/villages/{villageId}/boards", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The top households of a village's board, and the caller's own household",
			description = "Ranked by score earned in the current month, quarter, year or all time (village time "
					+ "zone); equal points rank the household that reached them first higher. With a category "
					+ "(a catalog category such as 孝 or 善), only points earned under it count (善行义举榜); a "
					+ "category no catalog item of the village has answers 404 board-not-found. Names are masked "
					+ "except for those who oversee the village.")
	Mono<Boards.BoardView> villageBoard(@PathVariable long villageId,
			@RequestParam(defaultValue = "month") String period, @RequestParam(required = false) @Nullable String kind,
			@RequestParam(required = false) @Nullable @Size(min = 1, max = 40) String category,
			@RequestParam(defaultValue = "10") int limit) {
		return Mono
			.defer(() -> this.boards.top(new RegionId(villageId), BoardPeriod.parse(period), kind, category, limit));
	}

	@GetMapping(path = "/api/v1/regions/{regionId}/boards", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The top households of a town's or county's board (or a village's), and the caller's own",
			description = "As the village board, over every household of the region; readable by those who may read "
					+ "the region and by the villagers living inside it.")
	Mono<Boards.BoardView> regionBoard(@PathVariable long regionId, @RequestParam(defaultValue = "month") String period,
			@RequestParam(required = false) @Nullable String kind,
			@RequestParam(required = false) @Nullable @Size(min = 1, max = 40) String category,
			@RequestParam(defaultValue = "10") int limit) {
		return villageBoard(regionId, period, kind, category, limit);
	}

	@GetMapping(path = "/api/v1/villages/{villageId}/boards/around-me", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The page of a village's board around the caller's own household",
			description = "Up to `above` places above and `below` below (each at most 50); on boards of member-owned "
					+ "kinds, around the caller themselves. Empty when the caller is not on the board.")
	Mono<Boards.AroundView> aroundMe(@PathVariable long villageId, @RequestParam(defaultValue = "month") String period,
			@RequestParam(required = false) @Nullable String kind,
			@RequestParam(required = false) @Nullable @Size(min = 1, max = 40) String category,
			@RequestParam(defaultValue = "5") int above, @RequestParam(defaultValue = "5") int below) {
		return Mono.defer(() -> this.boards.aroundMe(new RegionId(villageId), BoardPeriod.parse(period), kind, category,
				above, below));
	}

	@GetMapping(path = "/api/v1/villages/{villageId}/boards/red", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The red board (红榜): the households with the most points of the period",
			description = "The top `limit` (default 10) households with points above zero; names masked except for "
					+ "those who oversee the village.")
	Mono<Boards.BoardView> red(@PathVariable long villageId, @RequestParam(defaultValue = "month") String period,
			@RequestParam(required = false) @Nullable String kind, @RequestParam(defaultValue = "10") int limit) {
		return Mono.defer(() -> this.boards.red(new RegionId(villageId), BoardPeriod.parse(period), kind, limit));
	}

	@GetMapping(path = "/api/v1/households/{householdId}/ranks", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "A household's rank and points in its village, town and county, for every period")
	Mono<Boards.Ranks> householdRanks(@PathVariable long householdId,
			@RequestParam(required = false) @Nullable String kind) {
		return this.boards.ranks(new HouseholdId(householdId), kind);
	}

	@PostMapping(path = "/api/v1/regions/{regionId}/boards/rebuild", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Rebuild a region's current boards from the ledger (admins)",
			description = "This month's, quarter's, year's and all-time boards of every household kind, for the "
					+ "region and every town and village below it; with a category, that category's boards.")
	Mono<Boards.Rebuilt> rebuildBoards(@PathVariable long regionId,
			@RequestParam(required = false) @Nullable @Size(min = 1, max = 40) String category) {
		RegionId region = new RegionId(regionId);
		return this.access.requireAdmin(region).then(this.boards.rebuildRegion(region, category));
	}

	@GetMapping(path = "/api/v1/regions/{regionId}/boards/check", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Compare a region's current boards with the ledger (admins)",
			description = "Lists every household whose points on a board differ from the ledger's sum.")
	Mono<Boards.Check> checkBoards(@PathVariable long regionId,
			@RequestParam(required = false) @Nullable @Size(min = 1, max = 40) String category) {
		RegionId region = new RegionId(regionId);
		return this.access.requireAdmin(region).then(this.boards.check(region, category));
	}

	@GetMapping(path = "/api/v1/villages/{villageId}/boards/stars", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "A village's star board (道德星级榜), live for the current period",
			description = "Stars by the village's rule for the kind: thresholds on the period's score, or shares of "
					+ "the ranking; volunteer points default to 100/300/600/1000/1500 yearly points for one to five.")
	Mono<Boards.StarBoardView> starBoard(@PathVariable long villageId,
			@RequestParam(required = false) @Nullable String kind, @RequestParam(defaultValue = "10") int limit) {
		return this.boards.stars(new RegionId(villageId), kind, limit);
	}

	@PutMapping(path = "/api/v1/villages/{villageId}/boards/star-rules/{code}",
			consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Set a village's star rule for a kind (village admins)")
	Mono<StarRule> setStarRule(@PathVariable long villageId, @PathVariable String code,
			@Valid @RequestBody Mono<StarRuleRequest> request) {
		RegionId village = new RegionId(villageId);
		return this.access.requireAdmin(village)
			.flatMap((caller) -> request.flatMap((body) -> Mono.fromCallable(body::toRule))
				.flatMap((rule) -> this.boards.setStarRule(village, code, rule, caller.actor())));
	}

	@GetMapping(path = "/api/v1/villages/{villageId}/boards/stars/history", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Stars frozen at the close of a past period (e.g. periodKey=2026-10)",
			description = "Written once when the village's star period ends; owners are household ids (member ids "
					+ "for member-owned kinds).")
	Mono<List<BoardsRepository.FrozenStar>> starHistory(@PathVariable long villageId,
			@RequestParam(required = false) @Nullable String periodKey,
			@RequestParam(required = false) @Nullable String kind) {
		return this.starHistory.frozen(new RegionId(villageId), kind, periodKey);
	}

	@GetMapping(path = "/api/v1/villages/{villageId}/boards/black", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The black board (黑榜): effective deductions of the period",
			description = "Only where the village turned it on (otherwise 404 black-board-off); names masked except "
					+ "for those who oversee the village; a household that put things right is not on it.")
	Mono<BlackBoard.View> black(@PathVariable long villageId, @RequestParam(defaultValue = "month") String period) {
		return Mono.defer(() -> this.blackBoard.read(new RegionId(villageId), BoardPeriod.parse(period)));
	}

	@PutMapping(path = "/api/v1/villages/{villageId}/boards/black/enabled", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Turn the village's black board on or off (village admins; off by default)")
	Mono<Map<String, Boolean>> turnBlackBoard(@PathVariable long villageId,
			@Valid @RequestBody Mono<BlackBoardRequest> request) {
		RegionId village = new RegionId(villageId);
		return this.access.requireAdmin(village)
			.flatMap((caller) -> request.flatMap((body) -> this.blackBoard.turn(caller, village, body.enabled())))
			.map((on) -> Map.of("enabled", on));
	}

	record BlackBoardRequest(@NotNull Boolean enabled) {
	}

	record StarRuleRequest(@NotNull BoardPeriod period, @NotNull StarRule.Mode mode,
			@NotNull @Size(min = 1, max = 5) List<StarRule.Step> steps) {

		StarRule toRule() {
			return new StarRule(this.period, this.mode, this.steps);
		}

	}

}
