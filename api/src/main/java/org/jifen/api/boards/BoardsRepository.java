package org.jifen.api.boards;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

/**
 * Reads the ledger's journal for boards: the sum of each owner's (household's or
 * member's) score moves in a period, which is what a board must show.
 */
@Repository
class BoardsRepository {

	/**
	 * One row of a board's snapshot: either an owner's total (with {@code transactionId}
	 * null), or one of the snapshot's transactions whose event the relay has not yet
	 * delivered, to be marked as applied so that its later delivery changes nothing. The
	 * owner is a household, or a member for member-owned kinds.
	 */
	record SnapshotRow(long ownerId, long points, Instant reachedAt, @Nullable Long transactionId) {
	}

	private final DatabaseClient database;

	BoardsRepository(DatabaseClient database) {
		this.database = database;
	}

	/**
	 * A board's snapshot from the journal, read in one statement (so one view of the
	 * database): the totals of every household (or member, for member-owned kinds) of the
	 * given villages with a score move of the kind in the period, and the undelivered
	 * transactions among those moves.
	 */
	Flux<SnapshotRow> snapshot(List<Long> regionIds, long kindId, BoardPeriod period, String periodKey,
			@Nullable String category) {
		String periodFilter = ((period == BoardPeriod.ALL) ? ""
				: " and t.type <> 'RESET' and " + period.sqlKey("t.occurred_at", "r.time_zone") + " = :period")
				+ ((category != null) ? " and t.category = :category" : "");
		var spec = this.database
			.sql("""
					with moves as (
					    select coalesce(a.household_id, a.member_id) as owner_id, e.score_delta, t.id as transaction_id, t.occurred_at
					    from journal_entry e
					    join account a on a.id = e.account_id
					    join journal_transaction t on t.id = e.transaction_id
					    join region r on r.id = a.village_id
					    where a.village_id = any(:regions) and a.kind_id = :kind and a.owner_type <> 'SYSTEM'
					      and e.score_delta <> 0"""
					+ periodFilter + """

							), undelivered as (
							    select (payload ->> 'transactionId')::bigint as transaction_id from outbox_event
							    where type = 'points.posted' and status <> 'DONE' and village_id = any(:regions)
							)
							select owner_id, sum(score_delta)::bigint as points, max(occurred_at) as reached_at,
							       null::bigint as transaction_id
							from moves group by owner_id
							union all
							select owner_id, 0::bigint, occurred_at, transaction_id from moves
							where transaction_id in (select transaction_id from undelivered)
							""")
			.bind("regions", regionIds.toArray(Long[]::new))
			.bind("kind", kindId);
		if (period != BoardPeriod.ALL) {
			spec = spec.bind("period", periodKey);
		}
		if (category != null) {
			spec = spec.bind("category", category);
		}
		return spec
			.map((row) -> new SnapshotRow(row.get("owner_id", Long.class), row.get("points", Long.class),
					row.get("reached_at", OffsetDateTime.class).toInstant(), row.get("transaction_id", Long.class)))
			.all();
	}

	/** The village's star rule for a kind, if it set one. */
	Mono<StarRule> starRule(long villageId, long kindId) {
		return this.database.sql(
				"select period, mode, step_stars, step_bounds from star_rule where village_id = :village and kind_id = :kind")
			.bind("village", villageId)
			.bind("kind", kindId)
			.map((row) -> {
				Integer[] stars = row.get("step_stars", Integer[].class);
				Long[] bounds = row.get("step_bounds", Long[].class);
				List<StarRule.Step> steps = new ArrayList<>();
				for (int i = 0; i < stars.length; i++) {
					steps.add(new StarRule.Step(stars[i], bounds[i]));
				}
				return new StarRule(BoardPeriod.valueOf(row.get("period", String.class)),
						StarRule.Mode.valueOf(row.get("mode", String.class)), steps);
			})
			.one();
	}

	Mono<Void> saveStarRule(long villageId, long kindId, StarRule rule) {
		return this.database.sql("""
				insert into star_rule (village_id, kind_id, period, mode, step_stars, step_bounds)
				values (:village, :kind, :period, :mode, :stars, :bounds)
				on conflict (village_id, kind_id) do update set period = excluded.period, mode = excluded.mode,
				    step_stars = excluded.step_stars, step_bounds = excluded.step_bounds, updated_at = now()""")
			.bind("village", villageId)
			.bind("kind", kindId)
			.bind("period", rule.period().name())
			.bind("mode", rule.mode().name())
			.bind("stars", rule.steps().stream().map(StarRule.Step::stars).toArray(Integer[]::new))
			.bind("bounds", rule.steps().stream().map(StarRule.Step::bound).toArray(Long[]::new))
			.then();
	}

	Mono<Boolean> blackBoardOn(long villageId) {
		return this.database.sql("select black_board from board_setting where village_id = :village")
			.bind("village", villageId)
			.map((row) -> row.get("black_board", Boolean.class))
			.one()
			.defaultIfEmpty(false);
	}

	Mono<Void> setBlackBoard(long villageId, boolean on) {
		return this.database.sql("""
				insert into board_setting (village_id, black_board) values (:village, :on)
				on conflict (village_id) do update set black_board = excluded.black_board""")
			.bind("village", villageId)
			.bind("on", on)
			.then();
	}

	/** Every village's star rule: (village, kind, rule). */
	Flux<RuleRow> starRules() {
		return this.database.sql("select village_id, kind_id from star_rule order by village_id, kind_id")
			.map((row) -> new RuleRow(row.get("village_id", Long.class), row.get("kind_id", Long.class)))
			.all();
	}

	record RuleRow(long villageId, long kindId) {
	}

	Mono<Void> freeze(long villageId, long kindId, String periodKey, long ownerId, long points, int rank, int stars,
			java.time.Instant at) {
		return this.database.sql("""
				insert into star_history (village_id, kind_id, period_key, owner_id, points, rank, stars, frozen_at)
				values (:village, :kind, :period, :owner, :points, :rank, :stars, :at)
				on conflict do nothing""")
			.bind("village", villageId)
			.bind("kind", kindId)
			.bind("period", periodKey)
			.bind("owner", ownerId)
			.bind("points", points)
			.bind("rank", rank)
			.bind("stars", stars)
			.bind("at", at.atOffset(java.time.ZoneOffset.UTC))
			.then();
	}

	Flux<FrozenStar> frozen(long villageId, long kindId, String periodKey) {
		return this.database.sql("""
				select owner_id, points, rank, stars from star_history
				where village_id = :village and kind_id = :kind and period_key = :period order by rank""")
			.bind("village", villageId)
			.bind("kind", kindId)
			.bind("period", periodKey)
			.map((row) -> new FrozenStar(row.get("owner_id", Long.class), row.get("points", Long.class),
					row.get("rank", Integer.class), row.get("stars", Integer.class)))
			.all();
	}

	/** A household's (or member's) stars as frozen at the close of a period. */
	record FrozenStar(long ownerId, long points, int rank, int stars) {
	}

}
