package org.jifen.api.boards;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.audit.AuditTrail;
import org.jifen.api.catalog.Catalog;
import org.jifen.api.identity.Access;
import org.jifen.api.identity.Caller;
import org.jifen.api.ledger.PointKind;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.shared.Actor;
import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.ShortCache;
import org.jifen.api.shared.Masking;
import org.jifen.api.village.HouseholdId;
import org.jifen.api.village.HouseholdPlace;
import org.jifen.api.village.HouseholdSummary;
import org.jifen.api.village.MemberId;
import org.jifen.api.village.Region;
import org.jifen.api.village.RegionId;
import org.jifen.api.village.RegionLevel;
import org.jifen.api.village.Villages;
import org.jifen.leaderboards.BoardEntry;
import org.jifen.leaderboards.BoardKey;
import org.jifen.leaderboards.ChangeTooOldException;
import org.jifen.leaderboards.Leaderboards;
import org.jifen.leaderboards.PointsChange;
import org.jifen.leaderboards.Standing;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The boards feature's public face: household boards per region (village, town, county),
 * kind and period, kept in Redis and derived from the ledger. A board is never trusted to
 * exist: one found missing (a flushed or new Redis) is rebuilt from the ledger before it
 * is read or moved.
 */
@Service
public class Boards {

	private static final Logger log = LoggerFactory.getLogger(Boards.class);

	/** The most households one read of a board answers. */
	static final int MAX_LIMIT = 100;

	/**
	 * How long a board found empty is taken as built before the ledger is asked again.
	 */
	private static final Duration EMPTY_BOARD_KEPT = Duration.ofMinutes(1);

	private final Leaderboards leaderboards;

	private final BoardsRepository repository;

	private final Villages villages;

	private final PointKinds kinds;

	private final Catalog catalog;

	private final Access access;

	private final Clock clock;

	private final AuditTrail auditTrail;

	/** Star rules by village and kind; empty for none (the volunteer default applies). */
	private final ShortCache<List<Long>, Optional<StarRule>> starRules = new ShortCache<>(Duration.ofSeconds(30),
			50_000);

	Boards(Leaderboards leaderboards, BoardsRepository repository, Villages villages, PointKinds kinds, Catalog catalog,
			Access access, Clock clock, AuditTrail auditTrail) {
		this.auditTrail = auditTrail;
		this.catalog = catalog;
		this.leaderboards = leaderboards;
		this.repository = repository;
		this.villages = villages;
		this.kinds = kinds;
		this.access = access;
		this.clock = clock;
	}

	/**
	 * One board: the households of a region ranked by the score of one kind earned in one
	 * period, in every catalog category or in one (善行义举榜).
	 */
	record Board(RegionId region, long kindId, PointKind.Owner owner, BoardPeriod period, String periodKey,
			@Nullable String category) {

		Board(RegionId region, long kindId, PointKind.Owner owner, BoardPeriod period, String periodKey) {
			this(region, kindId, owner, period, periodKey, null);
		}

		BoardKey key() {
			BoardKey key = BoardKey.of("region-" + this.region.value(), this.periodKey, "kind-" + this.kindId);
			// Categories are the village's own words: encoded, they cannot break the key.
			return (this.category != null) ? key.withCategory(URLEncoder.encode(this.category, StandardCharsets.UTF_8))
					: key;
		}

		Board inCategory(@Nullable String category) {
			return new Board(this.region, this.kindId, this.owner, this.period, this.periodKey, category);
		}

	}

	/**
	 * One household (or member, on boards of member-owned kinds) on a board, its name
	 * masked unless the reader oversees the region.
	 */
	public record BoardLine(long rank, long householdId, String householdNumber, @Nullable Long memberId, String name,
			long points, Instant reachedAt) {
	}

	/**
	 * The top of a board, and the reader's own household when they live in the village.
	 */
	public record BoardView(long regionId, String kind, String period, String periodKey, @Nullable String category,
			long ranked, List<BoardLine> top, @Nullable BoardLine mine) {
	}

	/** A household's place on the boards of one region and period. */
	public record Rank(long regionId, RegionLevel level, String period, String periodKey, @Nullable Long rank,
			long points, long ranked) {
	}

	/** A household's places on every board it appears on, for one kind. */
	public record Ranks(long householdId, String kind, List<Rank> ranks) {
	}

	/** What a rebuild did. */
	public record Rebuilt(long regionId, int boards, long entries) {
	}

	/**
	 * One household (or member, for member-owned kinds) whose points on a board differ
	 * from the ledger.
	 */
	public record Difference(long regionId, String kind, String period, String periodKey, @Nullable Long householdId,
			@Nullable Long memberId, @Nullable Long boardPoints, @Nullable Long ledgerPoints) {
	}

	/** The outcome of comparing a region's boards with the ledger. */
	public record Check(long regionId, int boards, List<Difference> differences) {
	}

	/**
	 * Moves one household's boards (its village's, town's and county's, every period the
	 * posting counts for) by one posting's score change, at most once per transaction.
	 */
	Mono<Void> apply(long transactionId, long kindId, String type, @Nullable String category, Instant occurredAt,
			HouseholdId household, long scoreDelta) {
		return apply(transactionId, kindId, PointKind.Owner.HOUSEHOLD, type, category, occurredAt, household,
				member(household), scoreDelta);
	}

	/**
	 * Moves one member's boards (of a member-owned kind) the same way, in the member's
	 * village, town and county.
	 */
	Mono<Void> apply(long transactionId, long kindId, String type, @Nullable String category, Instant occurredAt,
			MemberId member, long scoreDelta) {
		if (scoreDelta == 0) {
			return Mono.empty();
		}
		return this.villages.memberHome(member)
			.flatMap((home) -> apply(transactionId, kindId, PointKind.Owner.MEMBER, type, category, occurredAt,
					home.householdId(), Long.toString(member.value()), scoreDelta));
	}

	private Mono<Void> apply(long transactionId, long kindId, PointKind.Owner owner, String type,
			@Nullable String category, Instant occurredAt, HouseholdId household, String member, long scoreDelta) {
		if (scoreDelta == 0) {
			return Mono.empty();
		}
		PointsChange change = new PointsChange(Long.toString(transactionId), member, scoreDelta, occurredAt);
		return this.villages.place(household)
			.flatMapMany((place) -> Flux.fromIterable(place.ancestry())
				.flatMap((region) -> Flux.fromArray(BoardPeriod.values())
					.filter((period) -> period.counts(type))
					.map((period) -> new Board(region, kindId, owner, period,
							period.keyOf(occurredAt, place.timeZone())))
					// The posting also counts on its category's board (善行义举榜).
					.flatMap((board) -> (category != null) ? Flux.just(board, board.inCategory(category))
							: Flux.just(board))))
			.concatMap((board) -> ensure(board).then(applyOnce(board, change)))
			.then();
	}

	/**
	 * A household's place on its village's board of the month, for the live stream after
	 * a posting moved it.
	 */
	Mono<Map<String, Object>> monthStanding(HouseholdId household, long kindId, Instant at) {
		return this.villages.place(household).flatMap((place) -> {
			Board board = new Board(place.village(), kindId, PointKind.Owner.HOUSEHOLD, BoardPeriod.MONTH,
					BoardPeriod.MONTH.keyOf(at, place.timeZone()));
			return this.leaderboards.standingOf(board.key(), member(household))
				.zipWith(this.leaderboards.count(board.key()), (standing, ranked) -> {
					Map<String, Object> moved = new java.util.LinkedHashMap<>();
					moved.put("householdId", household.value());
					moved.put("kindId", kindId);
					moved.put("period", "month");
					moved.put("periodKey", board.periodKey());
					moved.put("rank", standing.rank());
					moved.put("points", standing.points());
					moved.put("ranked", ranked);
					return moved;
				});
		});
	}

	private Mono<Void> applyOnce(Board board, PointsChange change) {
		return this.leaderboards.applyChange(board.key(), change)
			.then()
			.onErrorResume(ChangeTooOldException.class, (tooOld) -> {
				// The board can no longer tell whether it saw this change: the ledger
				// can.
				log.warn("Rebuilding {} from the ledger: {}", board.key(), tooOld.getMessage());
				return rebuild(board).then();
			});
	}

	/**
	 * The top of a village's, town's or county's board, read by someone who may read the
	 * region or lives inside it.
	 */
	public Mono<BoardView> top(RegionId villageId, BoardPeriod period, @Nullable String kindCode,
			@Nullable String category, int limit) {
		int count = Math.max(1, Math.min(limit, MAX_LIMIT));
		return reading(villageId, period, kindCode, category).flatMap((reading) -> {
			Board board = reading.board();
			return this.leaderboards.top(board.key(), count)
				.collectList()
				.flatMap((standings) -> lines(board, standings, (any) -> reading.fullNames()).collectList())
				.zipWith(this.leaderboards.count(board.key()))
				.zipWith(mine(reading).map(List::of).defaultIfEmpty(List.of()),
						(topAndCount, mine) -> new BoardView(villageId.value(), reading.kind().code(), period.label(),
								board.periodKey(), category, topAndCount.getT2(), topAndCount.getT1(),
								mine.isEmpty() ? null : mine.get(0)));
		});
	}

	/**
	 * The red board (红榜): the top of the board, only households that earned points in the
	 * period, without the reader's own line.
	 */
	public Mono<BoardView> red(RegionId villageId, BoardPeriod period, @Nullable String kindCode, int limit) {
		return top(villageId, period, kindCode, null, limit)
			.map((view) -> new BoardView(view.regionId(), view.kind(), view.period(), view.periodKey(), null,
					view.ranked(), view.top().stream().filter((line) -> line.points() > 0).toList(), null));
	}

	/**
	 * The page of a village's board around the caller: up to {@code above} households (or
	 * members, on member boards) just above them and {@code below} just below. Empty when
	 * the caller is not on the board.
	 */
	public Mono<AroundView> aroundMe(RegionId villageId, BoardPeriod period, @Nullable String kindCode,
			@Nullable String category, int above, int below) {
		int up = Math.max(0, Math.min(above, MAX_AROUND));
		int down = Math.max(0, Math.min(below, MAX_AROUND));
		return reading(villageId, period, kindCode, category).flatMap((reading) -> {
			Board board = reading.board();
			return Mono.justOrEmpty(reading.own())
				.flatMap((own) -> this.leaderboards.around(board.key(), own, up, down)
					.collectList()
					// Villagers know their own name.
					.flatMap((page) -> lines(board, page,
							(standing) -> reading.fullNames() || standing.member().equals(own))
						.collectList()))
				.defaultIfEmpty(List.of())
				.zipWith(this.leaderboards.count(board.key()), (page, ranked) -> new AroundView(villageId.value(),
						reading.kind().code(), period.label(), board.periodKey(), category, ranked, page));
		});
	}

	/** Households (or members) read around one's own place, at most, on each side. */
	static final int MAX_AROUND = 50;

	/** A page of a board around the reader's own place. */
	public record AroundView(long regionId, String kind, String period, String periodKey, @Nullable String category,
			long ranked, List<BoardLine> page) {
	}

	/**
	 * The current board a reader asked for, present in Redis, how they may read it, and
	 * the reader's own place on it ({@code null} when not on it: staff, or a villager of
	 * another region).
	 */
	private record Reading(Caller caller, PointKind kind, Board board, boolean fullNames, @Nullable String own) {
	}

	private Mono<Reading> reading(RegionId regionId, BoardPeriod period, @Nullable String kindCode,
			@Nullable String category) {
		return this.villages.region(regionId)
			.filter((region) -> region.level() != RegionLevel.GROUP)
			.switchIfEmpty(Mono.error(() -> new DomainException(DomainException.Kind.NOT_FOUND, "board-not-found",
					"Groups have no boards of their own; read their village's.", Map.of("regionId", regionId.value()))))
			.flatMap((region) -> this.access.caller()
				.flatMap((caller) -> home(caller).map(Optional::of)
					.defaultIfEmpty(Optional.empty())
					.flatMap((home) -> requireBoardReader(caller, home.orElse(null), regionId)
						.then(requireCategory(regionId, category))
						.then(kind(regionId, kindCode))
						.flatMap((kind) -> {
							Board board = new Board(regionId, kind.id(), kind.owner(), period,
									period.keyOf(this.clock.instant(), ZoneId.of(region.timeZone())), category);
							return ensure(board).then(this.access.oversees(caller, regionId))
								.map((fullNames) -> new Reading(caller, kind, board, fullNames,
										ownPlace(caller, home.orElse(null), board)));
						}))));
	}

	/**
	 * A category board exists for the categories of the region's catalogs only: a made-up
	 * one would otherwise cost a scan of the region's journal on every read.
	 */
	private Mono<Void> requireCategory(RegionId region, @Nullable String category) {
		if (category == null) {
			return Mono.empty();
		}
		return this.villages.subtree(region)
			.flatMap((regions) -> this.catalog.categoryUsed(regions, category))
			.filter(Boolean::booleanValue)
			.switchIfEmpty(Mono.error(() -> new DomainException(DomainException.Kind.NOT_FOUND, "board-not-found",
					"No catalog item here has the category " + category + ", so it has no board.",
					Map.of("regionId", region.value(), "category", category))))
			.then();
	}

	/**
	 * Those who may read a region's boards: whoever may read the region, and the
	 * villagers living inside it (a town's board shows its villagers where they stand).
	 */
	private Mono<Void> requireBoardReader(Caller caller, @Nullable HouseholdPlace home, RegionId region) {
		return this.access.requireRead(caller, region)
			.onErrorResume(DomainException.class,
					(refused) -> (home != null && home.ancestry().contains(region)) ? Mono.just(caller)
							: Mono.error(refused))
			.then();
	}

	/** Where the caller's household lives; empty for staff without one. */
	private Mono<HouseholdPlace> home(Caller caller) {
		if (caller.memberId() == null) {
			return Mono.empty();
		}
		return this.villages.memberHome(new MemberId(caller.memberId()))
			.flatMap((home) -> this.villages.place(home.householdId()));
	}

	private Mono<BoardLine> mine(Reading reading) {
		return Mono.justOrEmpty(reading.own())
			.flatMap((own) -> this.leaderboards.standingOf(reading.board().key(), own))
			// Villagers know their own household's name.
			.flatMap((standing) -> line(reading.board(), standing, true));
	}

	/**
	 * Who the caller is on a board of a region they live in: their household, or
	 * themselves on a board of a member-owned kind.
	 */
	private static @Nullable String ownPlace(Caller caller, @Nullable HouseholdPlace home, Board board) {
		if (home == null || caller.memberId() == null || !home.ancestry().contains(board.region())) {
			return null;
		}
		return (board.owner() == PointKind.Owner.MEMBER) ? Long.toString(caller.memberId()) : member(home.household());
	}

	/** A household's rank and points on its village's, town's and county's boards. */
	public Mono<Ranks> ranks(HouseholdId household, @Nullable String kindCode) {
		return this.villages.place(household)
			.flatMap((place) -> this.access.requireRead(place)
				.then(kind(place.village(), kindCode))
				.filter((kind) -> kind.owner() == PointKind.Owner.HOUSEHOLD)
				.switchIfEmpty(Mono.error(() -> new DomainException(DomainException.Kind.REFUSED,
						"point-kind-not-of-households", "Point kind " + kindCode + " ranks members, not households.",
						Map.of("kind", String.valueOf(kindCode)))))
				.flatMap((kind) -> Flux.fromIterable(place.ancestry())
					.concatMap((regionId) -> this.villages.region(regionId)
						.flatMapMany((region) -> Flux.fromArray(BoardPeriod.values())
							.concatMap((period) -> rank(region, household, kind,
									new Board(regionId, kind.id(), kind.owner(), period,
											period.keyOf(this.clock.instant(), place.timeZone()))))))
					.collectList()
					.map((ranks) -> new Ranks(household.value(), kind.code(), ranks))));
	}

	private Mono<Rank> rank(Region region, HouseholdId household, PointKind kind, Board board) {
		return ensure(board).then(this.leaderboards.standingOf(board.key(), member(household))
			.map((standing) -> Map.entry(standing.rank(), standing.points()))
			.defaultIfEmpty(Map.entry(0L, 0L))
			.zipWith(this.leaderboards.count(board.key()),
					(standing, households) -> new Rank(region.id().value(), region.level(), board.period().label(),
							board.periodKey(), (standing.getKey() > 0) ? standing.getKey() : null, standing.getValue(),
							households)));
	}

	/**
	 * Rebuilds from the ledger the current boards (this month, quarter, year and all
	 * time) of every kind of the region and of every town and village below it.
	 */
	public Mono<Rebuilt> rebuildRegion(RegionId regionId, @Nullable String category) {
		return boardsOf(regionId, category).concatMap(this::rebuild).reduce(new long[2], (totals, entries) -> {
			totals[0]++;
			totals[1] += entries;
			return totals;
		}).map((totals) -> new Rebuilt(regionId.value(), (int) totals[0], totals[1]));
	}

	/**
	 * Compares the region's current boards (and those below it) with the ledger, listing
	 * every household whose points differ or which is on one side only.
	 */
	public Mono<Check> check(RegionId regionId, @Nullable String category) {
		return boardsOf(regionId, category).concatMap((board) -> differences(board).collectList())
			.reduce(new ArrayList<List<Difference>>(), (all, differences) -> {
				all.add(differences);
				return all;
			})
			.map((all) -> new Check(regionId.value(), all.size(), all.stream().flatMap(List::stream).toList()));
	}

	private Flux<Difference> differences(Board board) {
		Mono<Map<Long, Long>> ledger = this.villages.subtree(board.region())
			.flatMapMany((regions) -> this.repository.snapshot(regions.stream().map(RegionId::value).toList(),
					board.kindId(), board.period(), board.periodKey(), board.category()))
			.filter((row) -> row.transactionId() == null)
			.collectMap(BoardsRepository.SnapshotRow::ownerId, BoardsRepository.SnapshotRow::points);
		Mono<Map<Long, Long>> redis = this.leaderboards.count(board.key())
			.flatMapMany((count) -> this.leaderboards.top(board.key(), (int) Math.min(count, Integer.MAX_VALUE)))
			.collectMap((standing) -> Long.parseLong(standing.member()), Standing::points);
		return Mono
			.zip(ledger, redis,
					this.kinds.kindsOf(board.region())
						.filter((kind) -> kind.id() == board.kindId())
						.map(PointKind::code)
						.next()
						.defaultIfEmpty("?"))
			.flatMapMany((both) -> {
				Map<Long, Long> fromLedger = both.getT1();
				Map<Long, Long> onBoard = both.getT2();
				Map<Long, Boolean> households = new HashMap<>();
				fromLedger.keySet().forEach((id) -> households.put(id, true));
				onBoard.keySet().forEach((id) -> households.put(id, true));
				List<Difference> differences = new ArrayList<>();
				households.keySet().stream().sorted().forEach((id) -> {
					if (!Objects.equals(fromLedger.get(id), onBoard.get(id))) {
						boolean ofMember = board.owner() == PointKind.Owner.MEMBER;
						differences.add(new Difference(board.region().value(), both.getT3(), board.period().label(),
								board.periodKey(), ofMember ? null : id, ofMember ? id : null, onBoard.get(id),
								fromLedger.get(id)));
					}
				});
				return Flux.fromIterable(differences);
			});
	}

	/**
	 * The current boards of the region and every town and village below it, of every
	 * category or of one.
	 */
	private Flux<Board> boardsOf(RegionId regionId, @Nullable String category) {
		Instant now = this.clock.instant();
		return this.villages.subtree(regionId)
			.flatMapMany(Flux::fromIterable)
			.concatMap(this.villages::region)
			.filter((region) -> region.level() != RegionLevel.GROUP)
			.concatMap((region) -> this.kinds.kindsOf(region.id())
				.concatMap((kind) -> Flux.fromArray(BoardPeriod.values())
					.map((period) -> new Board(region.id(), kind.id(), kind.owner(), period,
							period.keyOf(now, ZoneId.of(region.timeZone())), category))));
	}

	/**
	 * Rebuilds a board that is missing, from the ledger. A board found empty a moment ago
	 * counts as present (its postings since then come through the relay), so reads of an
	 * empty board do not each scan the journal.
	 */
	private Mono<Void> ensure(Board board) {
		return this.leaderboards.exists(board.key())
			.flatMap((exists) -> exists ? Mono.<Void>empty() : rebuild(board).then());
	}

	/**
	 * Replaces a board with the ledger's totals, read in one statement. The transactions
	 * of that snapshot whose events the relay has yet to deliver are first marked
	 * applied, so their delivery does not count them twice, however late it comes. Emits
	 * the number of households on the rebuilt board.
	 */
	Mono<Long> rebuild(Board board) {
		BoardKey key = board.key();
		return this.villages.subtree(board.region())
			.flatMapMany((regions) -> this.repository.snapshot(regions.stream().map(RegionId::value).toList(),
					board.kindId(), board.period(), board.periodKey(), board.category()))
			.collectList()
			.flatMap((rows) -> {
				List<BoardsRepository.SnapshotRow> undelivered = rows.stream()
					.filter((row) -> row.transactionId() != null)
					.toList();
				Mono<Long> marked = undelivered.isEmpty() ? Mono.just(0L)
						: this.leaderboards.markApplied(key,
								undelivered.stream().map((row) -> row.transactionId().toString()).toList(),
								undelivered.stream()
									.map(BoardsRepository.SnapshotRow::reachedAt)
									.max(Instant::compareTo)
									.orElseThrow());
				Mono<Long> rebuilt = marked.then(this.leaderboards.rebuild(key, Flux.fromIterable(rows)
					.filter((row) -> row.transactionId() == null)
					.map((row) -> new BoardEntry(Long.toString(row.ownerId()), row.points(), row.reachedAt()))));
				// Only when nothing at all was found: with undelivered postings in the
				// snapshot, the board must be rebuilt again once they are delivered.
				return rows.isEmpty()
						? rebuilt.flatMap((size) -> this.leaderboards.markEmpty(key, EMPTY_BOARD_KEPT).thenReturn(size))
						: rebuilt;
			});
	}

	private Mono<PointKind> kind(RegionId region, @Nullable String code) {
		return this.kinds.kindOrDefault(region, code);
	}

	private Mono<BoardLine> line(Board board, Standing standing, boolean fullName) {
		return lines(board, List.of(standing), (any) -> fullName).next();
	}

	/**
	 * Names the standings of a board, in order: households' in one query, members' one by
	 * one. Full names where {@code fullName} says so, masked elsewhere.
	 */
	private Flux<BoardLine> lines(Board board, List<Standing> standings, Predicate<Standing> fullName) {
		if (board.owner() == PointKind.Owner.MEMBER) {
			return Flux.fromIterable(standings).concatMap((standing) -> {
				long id = Long.parseLong(standing.member());
				return this.villages.memberHome(new MemberId(id))
					.flatMap((home) -> this.villages.household(home.householdId())
						.map((household) -> new BoardLine(standing.rank(), household.id().value(), household.number(),
								id, fullName.test(standing) ? home.name() : Masking.name(home.name()),
								standing.points(), standing.achievedAt())));
			});
		}
		return this.villages
			.summaries(
					standings.stream().map((standing) -> new HouseholdId(Long.parseLong(standing.member()))).toList())
			.flatMapMany((households) -> Flux.fromIterable(standings).mapNotNull((standing) -> {
				HouseholdSummary household = households.get(new HouseholdId(Long.parseLong(standing.member())));
				return (household != null) ? new BoardLine(standing.rank(), household.id().value(), household.number(),
						null, fullName.test(standing) ? household.headName() : Masking.name(household.headName()),
						standing.points(), standing.achievedAt()) : null;
			}));
	}

	private static String member(HouseholdId household) {
		return Long.toString(household.value());
	}

	/** One line of a star board: a household's place and its stars (0 for none). */
	public record StarLine(BoardLine line, int stars) {
	}

	/**
	 * A village's star board: the top of the rule's board with each household's stars.
	 */
	public record StarBoardView(long regionId, String kind, String period, String periodKey, StarRule rule, long ranked,
			List<StarLine> top, @Nullable StarLine mine) {
	}

	/**
	 * The star board of a village for a kind: the village's rule, or for volunteer points
	 * the volunteer stars by yearly points. Live for the current period.
	 */
	public Mono<StarBoardView> stars(RegionId villageId, @Nullable String kindCode, int limit) {
		return this.access.requireRead(villageId)
			.then(kind(villageId, kindCode))
			.flatMap(
					(kind) -> this.repository.starRule(villageId.value(), kind.id())
						.switchIfEmpty(Mono
							.fromSupplier(() -> PointKinds.VOLUNTEER.equals(kind.code()) ? StarRule.VOLUNTEER : null))
						.switchIfEmpty(
								Mono.error(
										() -> new DomainException(DomainException.Kind.NOT_FOUND, "no-star-rule",
												"Village " + villageId.value() + " has no star rule for " + kind.code()
														+ ".",
												Map.of("kind", kind.code()))))
						.flatMap((rule) -> top(villageId, rule.period(), kind.code(), null, limit).map((view) -> {
							List<StarLine> top = view.top()
								.stream()
								.map((line) -> new StarLine(line,
										rule.starsOf(line.points(), line.rank(), view.ranked())))
								.toList();
							StarLine mine = (view.mine() != null)
									? new StarLine(view.mine(),
											rule.starsOf(view.mine().points(), view.mine().rank(), view.ranked()))
									: null;
							return new StarBoardView(view.regionId(), view.kind(), view.period(), view.periodKey(),
									rule, view.ranked(), top, mine);
						})));
	}

	/**
	 * A household's (or, for a member-owned kind, a member's) live stars under its
	 * village's rule for a kind: 0 where the village has no rule or the household is not
	 * ranked. Offers of merchants ask for a minimum.
	 */
	public Mono<Integer> starsOf(HouseholdId household, @Nullable MemberId member, PointKind kind) {
		return this.villages.place(household)
			.flatMap((place) -> keptStarRule(place.village().value(), kind.id())
				.switchIfEmpty(
						Mono.fromSupplier(() -> PointKinds.VOLUNTEER.equals(kind.code()) ? StarRule.VOLUNTEER : null))
				.flatMap((rule) -> {
					Board board = new Board(place.village(), kind.id(), kind.owner(), rule.period(),
							rule.period().keyOf(this.clock.instant(), place.timeZone()));
					String key = (kind.owner() == PointKind.Owner.MEMBER && member != null)
							? Long.toString(member.value()) : member(household);
					return ensure(board).then(this.leaderboards.standingOf(board.key(), key)
						.zipWith(this.leaderboards.count(board.key()),
								(standing, ranked) -> rule.starsOf(standing.points(), standing.rank(), ranked)));
				}))
			.defaultIfEmpty(0);
	}

	/** A village's star rule for a kind, as kept for up to 30 s (stars at the till). */
	private Mono<StarRule> keptStarRule(long villageId, long kindId) {
		return this.starRules.get(List.of(villageId, kindId),
				(key) -> this.repository.starRule(villageId, kindId).map(Optional::of).defaultIfEmpty(Optional.empty()))
			.flatMap(Mono::justOrEmpty);
	}

	/**
	 * Sets a village's star rule for a kind, in the audit trail with the rule it
	 * replaced. The caller's rights are checked by the caller.
	 */
	@Transactional
	public Mono<StarRule> setStarRule(RegionId villageId, String kindCode, StarRule rule, Actor actor) {
		return this.villages.village(villageId)
			.then(kind(villageId, kindCode))
			.flatMap((kind) -> this.repository.starRule(villageId.value(), kind.id())
				.map(Optional::of)
				.defaultIfEmpty(Optional.empty())
				.flatMap((before) -> this.starRules.forgetOnCommit(List.of(villageId.value(), kind.id()))
					.then(this.repository.saveStarRule(villageId.value(), kind.id(), rule))
					.then(this.auditTrail.record(actor, villageId.value(), "star-rule.set", "kind:" + kind.code(),
							before.orElse(null), rule))))
			.thenReturn(rule);
	}

}
