package org.jifen.api.claims;

import java.time.Instant;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.catalog.Catalog;
import org.jifen.api.catalog.CatalogItem;
import org.jifen.api.identity.Access;
import org.jifen.api.ledger.HistoryEntry;
import org.jifen.api.ledger.Ledger;
import org.jifen.api.village.HouseholdId;
import org.jifen.api.village.Villages;
import org.jifen.api.web.CursorPage;
import org.jifen.api.web.PageRequest;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A household's points history: every movement, newest first, each with the claim and the
 * exact catalog version it came from, so that every point can be explained.
 */
@RestController
@Tag(name = "Ledger", description = "Balances and journal verification")
class HistoryController {

	private final Ledger ledger;

	private final Claims claims;

	private final Catalog catalog;

	private final Villages villages;

	private final Access access;

	HistoryController(Ledger ledger, Claims claims, Catalog catalog, Villages villages, Access access) {
		this.ledger = ledger;
		this.claims = claims;
		this.catalog = catalog;
		this.villages = villages;
		this.access = access;
	}

	@GetMapping(path = "/api/v1/households/{householdId}/history", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "A household's points history",
			description = "Newest first, cursor-paged; each entry " + "names its claim and catalog item version.")
	Mono<CursorPage<HistoryLine>> history(@PathVariable long householdId,
			@RequestParam(required = false) @Nullable String cursor,
			@RequestParam(required = false) @Nullable Integer limit) {
		PageRequest page = PageRequest.of(cursor, limit);
		HouseholdId household = new HouseholdId(householdId);
		return this.villages.place(household)
			.flatMap(this.access::requireRead)
			.then(this.ledger.history(household, page))
			.flatMap((entries) -> Flux.fromIterable(entries.items())
				.concatMap(this::describe)
				.collectList()
				.map((lines) -> new CursorPage<>(lines, entries.nextCursor())));
	}

	private Mono<HistoryLine> describe(HistoryEntry entry) {
		return this.claims.claimOfPosting(entry.requestId())
			.flatMap((claim) -> this.catalog.item(claim.itemId()).map((item) -> HistoryLine.of(entry, claim, item)))
			.defaultIfEmpty(HistoryLine.of(entry, null, null));
	}

	record HistoryLine(long entryId, Instant occurredAt, String kind, String type, String memo, long amount,
			long scoreDelta, @Nullable Long claimId, @Nullable String itemCode, @Nullable String itemName,
			@Nullable Integer itemVersion, @Nullable String category) {

		static HistoryLine of(HistoryEntry entry, @Nullable Claim claim, @Nullable CatalogItem item) {
			return new HistoryLine(entry.entryId(), entry.occurredAt(), entry.kindCode(), entry.type(), entry.memo(),
					entry.amount(), entry.scoreDelta(), (claim != null) ? claim.id() : null,
					(item != null) ? item.code() : null, (item != null) ? item.name() : null,
					(item != null) ? item.version() : null, (item != null) ? item.category() : null);
		}

	}

}
