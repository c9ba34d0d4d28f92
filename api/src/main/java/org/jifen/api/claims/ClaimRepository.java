package org.jifen.api.claims;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.shared.Sql;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

@Repository
class ClaimRepository {

	private static final String COLUMNS = "id, village_id, household_id, item_id, points, source, description, status, "
			+ "submitted_by, on_behalf_of, decided_by, decision_reason, rectify_by, notice_ends_at, transaction_id, created_at";

	record Settings(int noticeDays, int rectifyDays) {
	}

	private final DatabaseClient database;

	ClaimRepository(DatabaseClient database) {
		this.database = database;
	}

	Mono<Settings> settings(long villageId) {
		return this.database.sql("select notice_days, rectify_days from village_settings where village_id = :village")
			.bind("village", villageId)
			.map((row) -> new Settings(row.get("notice_days", Integer.class), row.get("rectify_days", Integer.class)))
			.one()
			.defaultIfEmpty(new Settings(7, 7));
	}

	Mono<Settings> saveSettings(long villageId, int noticeDays, int rectifyDays) {
		return this.database
			.sql("""
					insert into village_settings (village_id, notice_days, rectify_days) values (:village, :notice, :rectify)
					on conflict (village_id) do update set notice_days = excluded.notice_days, rectify_days = excluded.rectify_days
					returning notice_days, rectify_days""")
			.bind("village", villageId)
			.bind("notice", noticeDays)
			.bind("rectify", rectifyDays)
			.map((row) -> new Settings(row.get("notice_days", Integer.class), row.get("rectify_days", Integer.class)))
			.one();
	}

	/**
	 * The new claim; empty when this user already submitted one with the same idempotency
	 * key.
	 */
	Mono<Claim> insert(long villageId, long householdId, long itemId, int points, Claim.Source source,
			String description, long submittedBy, @Nullable Long onBehalfOf, Instant createdAt,
			@Nullable String idempotencyKey) {
		var spec = this.database.sql("""
				insert into claim (village_id, household_id, item_id, points, source, description, status,
				                   submitted_by, on_behalf_of, created_at, idempotency_key)
				values (:village, :household, :item, :points, :source, :description, 'SUBMITTED', :submittedBy,
				        :onBehalfOf, :createdAt, :idempotencyKey)
				on conflict (submitted_by, idempotency_key) where idempotency_key is not null do nothing
				returning\s""" + COLUMNS)
			.bind("village", villageId)
			.bind("household", householdId)
			.bind("item", itemId)
			.bind("points", points)
			.bind("source", source.name())
			.bind("description", description)
			.bind("submittedBy", submittedBy)
			.bind("createdAt", createdAt.atOffset(ZoneOffset.UTC));
		spec = Sql.bindNullable(spec, "onBehalfOf", onBehalfOf, Long.class);
		spec = Sql.bindNullable(spec, "idempotencyKey", idempotencyKey, String.class);
		return spec.map(ClaimRepository::claim).one();
	}

	/**
	 * The organisation's claims of a batch, submitted in one statement; answered in the
	 * order of the rows.
	 */
	Flux<Claim> insertAll(long villageId, List<BatchRow> rows, long submittedBy, Instant createdAt) {
		return this.database.sql("""
				insert into claim (village_id, household_id, item_id, points, source, description, status,
				                   submitted_by, created_at)
				select :village, r.household, r.item, r.points, 'ORGANISATION', r.description, 'SUBMITTED',
				       :submittedBy, :createdAt
				from unnest(:households::bigint[], :items::bigint[], :points::int[], :descriptions::text[])
				     with ordinality as r(household, item, points, description, position)
				order by r.position
				returning\s""" + COLUMNS)
			.bind("village", villageId)
			.bind("households", rows.stream().map(BatchRow::householdId).toArray(Long[]::new))
			.bind("items", rows.stream().map(BatchRow::itemId).toArray(Long[]::new))
			.bind("points", rows.stream().map(BatchRow::points).toArray(Integer[]::new))
			.bind("descriptions", rows.stream().map(BatchRow::description).toArray(String[]::new))
			.bind("submittedBy", submittedBy)
			.bind("createdAt", createdAt.atOffset(ZoneOffset.UTC))
			.map(ClaimRepository::claim)
			.all()
			.sort(Comparator.comparingLong(Claim::id));
	}

	/** A row of {@link #insertAll}: one household, one catalog item version. */
	record BatchRow(long householdId, long itemId, int points, String description) {
	}

	/**
	 * The claims of a batch decision that belong to a village, locked for this
	 * transaction in id order (so two batches that share claims never deadlock).
	 */
	Flux<Claim> lockAll(long villageId, Collection<Long> claimIds) {
		return this.database
			.sql("select " + COLUMNS
					+ " from claim where id = any(:ids) and village_id = :village order by id for update")
			.bind("ids", claimIds.toArray(Long[]::new))
			.bind("village", villageId)
			.map(ClaimRepository::claim)
			.all();
	}

	/**
	 * Approves locked claims in one statement: a first-time deduction goes to
	 * rectification, everything else into public notice.
	 */
	Flux<Claim> approveAll(Collection<Long> claimIds, long decidedBy, @Nullable String reason, Instant rectifyBy,
			Instant noticeEndsAt) {
		var spec = this.database.sql("""
				update claim set
				       status = case when points < 0 and status = 'SUBMITTED' then 'RECTIFICATION' else 'IN_NOTICE' end,
				       rectify_by = case when points < 0 and status = 'SUBMITTED' then :rectifyBy end,
				       notice_ends_at = case when points < 0 and status = 'SUBMITTED' then null else :noticeEndsAt end,
				       updated_at = now(), decided_by = :decidedBy,
				       decision_reason = coalesce(:reason, decision_reason)
				where id = any(:ids) and status in ('SUBMITTED', 'OBJECTED')
				returning\s""" + COLUMNS)
			.bind("ids", claimIds.toArray(Long[]::new))
			.bind("decidedBy", decidedBy)
			.bind("rectifyBy", rectifyBy.atOffset(ZoneOffset.UTC))
			.bind("noticeEndsAt", noticeEndsAt.atOffset(ZoneOffset.UTC));
		return Sql.bindNullable(spec, "reason", reason, String.class)
			.map(ClaimRepository::claim)
			.all()
			.sort(Comparator.comparingLong(Claim::id));
	}

	Mono<Claim> findSubmitted(long submittedBy, String idempotencyKey) {
		return this.database
			.sql("select " + COLUMNS + " from claim where submitted_by = :submittedBy and idempotency_key = :key")
			.bind("submittedBy", submittedBy)
			.bind("key", idempotencyKey)
			.map(ClaimRepository::claim)
			.one();
	}

	Mono<Claim> find(long claimId) {
		return this.database.sql("select " + COLUMNS + " from claim where id = :id")
			.bind("id", claimId)
			.map(ClaimRepository::claim)
			.one();
	}

	/**
	 * Points already claimed from an item's code since a moment, per household of the
	 * given ones that has any, in live claims.
	 */
	Mono<Map<Long, Long>> pointsClaimedSince(Collection<Long> householdIds, long villageId, String itemCode,
			Instant since) {
		return this.database.sql("""
				select c.household_id, sum(abs(c.points)) as total
				from claim c join catalog_item i on i.id = c.item_id
				where c.household_id = any(:households) and i.village_id = :village and i.code = :code
				  and c.created_at >= :since and c.status not in ('REJECTED', 'RECTIFIED')
				group by c.household_id""")
			.bind("households", householdIds.toArray(Long[]::new))
			.bind("village", villageId)
			.bind("code", itemCode)
			.bind("since", since.atOffset(ZoneOffset.UTC))
			.map((row) -> Map.entry(row.get("household_id", Long.class), ((Number) row.get("total")).longValue()))
			.all()
			.collectMap(Map.Entry::getKey, Map.Entry::getValue);
	}

	/**
	 * Moves a claim from one of the expected states to the next; empty when it was in
	 * none of them (the transition is illegal, or someone else moved it first).
	 */
	Mono<Claim> transition(long claimId, Collection<Claim.Status> from, Claim.Status to, @Nullable Long decidedBy,
			@Nullable String reason, @Nullable Instant rectifyBy, @Nullable Instant noticeEndsAt) {
		var spec = this.database.sql("""
				update claim set status = :to, updated_at = now(),
				       decided_by = coalesce(:decidedBy, decided_by),
				       decision_reason = coalesce(:reason, decision_reason),
				       rectify_by = :rectifyBy, notice_ends_at = :noticeEndsAt
				where id = :id and status = any(:from)
				returning\s""" + COLUMNS)
			.bind("id", claimId)
			.bind("from", from.stream().map(Enum::name).toArray(String[]::new))
			.bind("to", to.name());
		spec = Sql.bindNullable(spec, "decidedBy", decidedBy, Long.class);
		spec = Sql.bindNullable(spec, "reason", reason, String.class);
		spec = Sql.bindNullable(spec, "rectifyBy", utc(rectifyBy), OffsetDateTime.class);
		spec = Sql.bindNullable(spec, "noticeEndsAt", utc(noticeEndsAt), OffsetDateTime.class);
		return spec.map(ClaimRepository::claim).one();
	}

	Mono<Void> insertObjection(long claimId, long userId, String reason) {
		return this.database
			.sql("insert into claim_objection (claim_id, user_id, reason) values (:claim, :user, :reason)")
			.bind("claim", claimId)
			.bind("user", userId)
			.bind("reason", reason)
			.then();
	}

	/** Ids of claims whose notice or rectification deadline has passed. */
	Flux<Long> due(Claim.Status status, Instant now, int limit) {
		String deadline = (status == Claim.Status.IN_NOTICE) ? "notice_ends_at" : "rectify_by";
		return this.database
			.sql("select id from claim where status = :status and " + deadline + " <= :now order by id limit :limit")
			.bind("status", status.name())
			.bind("now", now.atOffset(ZoneOffset.UTC))
			.bind("limit", limit)
			.map((row) -> row.get("id", Long.class))
			.all();
	}

	/**
	 * Locks one due claim for this transaction, skipping it if another instance holds it.
	 */
	Mono<Claim> lockDue(long claimId, Claim.Status status, Instant now) {
		String deadline = (status == Claim.Status.IN_NOTICE) ? "notice_ends_at" : "rectify_by";
		return this.database
			.sql("select " + COLUMNS + " from claim where id = :id and status = :status and " + deadline
					+ " <= :now for update skip locked")
			.bind("id", claimId)
			.bind("status", status.name())
			.bind("now", now.atOffset(ZoneOffset.UTC))
			.map(ClaimRepository::claim)
			.one();
	}

	/**
	 * An effective deduction whose household has since put things right: it leaves the
	 * black board, the points stay deducted. Empty if it is not such a claim (or already
	 * marked).
	 */
	Mono<Claim> markRectifiedAfterEffect(long claimId, Instant at) {
		return this.database.sql("""
				update claim set rectified_at = :at
				where id = :id and status = 'EFFECTIVE' and points < 0 and rectified_at is null
				returning\s""" + COLUMNS)
			.bind("id", claimId)
			.bind("at", at.atOffset(ZoneOffset.UTC))
			.map(ClaimRepository::claim)
			.one();
	}

	/**
	 * Effective deductions of a village since a moment, not yet put right; newest first.
	 */
	Flux<Claim> blackMarks(long villageId, Instant since) {
		return this.database.sql("select " + COLUMNS + " " + """
				from claim
				where village_id = :village and status = 'EFFECTIVE' and points < 0 and rectified_at is null
				  and updated_at >= :since
				order by updated_at desc, id desc limit 200""")
			.bind("village", villageId)
			.bind("since", since.atOffset(ZoneOffset.UTC))
			.map(ClaimRepository::claim)
			.all();
	}

	Mono<Void> markEffective(long claimId, long transactionId) {
		return this.database.sql("""
				update claim set status = 'EFFECTIVE', transaction_id = :transaction, updated_at = now()
				where id = :id and status = 'IN_NOTICE'""")
			.bind("id", claimId)
			.bind("transaction", transactionId)
			.then();
	}

	Flux<Claim> inNotice(long villageId) {
		return this.database
			.sql("select " + COLUMNS + " from claim where village_id = :village and status = 'IN_NOTICE' "
					+ "order by notice_ends_at, id")
			.bind("village", villageId)
			.map(ClaimRepository::claim)
			.all();
	}

	private static @Nullable OffsetDateTime utc(@Nullable Instant instant) {
		return (instant != null) ? instant.atOffset(ZoneOffset.UTC) : null;
	}

	private static @Nullable Instant instant(Readable row, String column) {
		OffsetDateTime time = row.get(column, OffsetDateTime.class);
		return (time != null) ? time.toInstant() : null;
	}

	private static Claim claim(Readable row) {
		return new Claim(row.get("id", Long.class), row.get("village_id", Long.class),
				row.get("household_id", Long.class), row.get("item_id", Long.class), row.get("points", Integer.class),
				Claim.Source.valueOf(row.get("source", String.class)), row.get("description", String.class),
				Claim.Status.valueOf(row.get("status", String.class)), row.get("submitted_by", Long.class),
				row.get("on_behalf_of", Long.class), row.get("decided_by", Long.class),
				row.get("decision_reason", String.class), instant(row, "rectify_by"), instant(row, "notice_ends_at"),
				row.get("transaction_id", Long.class), instant(row, "created_at"));
	}

}
