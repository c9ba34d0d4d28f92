package org.jifen.api.donations;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.shared.Sql;
import org.jifen.api.village.HouseholdId;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

@Repository
class DonationRepository {

	/** Namespace of the per-donor advisory locks. */
	private static final int DONOR_LOCK = 0x646F6E;

	private static final String COLUMNS = "id, village_id, donor_household_id, donor_user_id, recipient_household_id, "
			+ "donor_member_id, recipient_member_id, kind_id, points, message, anonymous, transaction_id, donated_at";

	private final DatabaseClient database;

	DonationRepository(DatabaseClient database) {
		this.database = database;
	}

	/**
	 * Serialises one household's donations until the transaction ends, so that caps are
	 * checked against every earlier gift.
	 */
	Mono<Void> lockDonor(long householdId) {
		return this.database.sql("select pg_advisory_xact_lock(:space, :household::int)")
			.bind("space", DONOR_LOCK)
			.bind("household", householdId)
			.then();
	}

	Mono<Long> givenSince(long donorHouseholdId, Instant since) {
		return this.database.sql("""
				select coalesce(sum(points), 0) as total from donation
				where donor_household_id = :donor and donated_at >= :since""")
			.bind("donor", donorHouseholdId)
			.bind("since", since.atOffset(ZoneOffset.UTC))
			.map((row) -> ((Number) row.get("total")).longValue())
			.one();
	}

	/** Records a gift once per journal transaction; a replay reads the first back. */
	Mono<Donation> insert(long villageId, Giver giver, Receiver receiver, long kindId, long points,
			@Nullable String message, boolean anonymous, long transactionId, Instant at) {
		var insert = this.database.sql("""
				insert into donation (village_id, donor_household_id, donor_user_id, recipient_household_id,
				                      donor_member_id, recipient_member_id, kind_id, points, message, anonymous,
				                      transaction_id, donated_at)
				values (:village, :donor, :user, :recipient, :donorMember, :recipientMember, :kind, :points, :message,
				        :anonymous, :transaction, :at)
				on conflict (transaction_id) do nothing""")
			.bind("village", villageId)
			.bind("donor", giver.household().value())
			.bind("user", giver.userId())
			.bind("recipient", receiver.household().value())
			.bind("kind", kindId)
			.bind("points", points)
			.bind("anonymous", anonymous)
			.bind("transaction", transactionId)
			.bind("at", at.atOffset(ZoneOffset.UTC));
		insert = Sql.bindNullable(insert, "message", message, String.class);
		insert = Sql.bindNullable(insert, "donorMember", giver.memberId(), Long.class);
		insert = Sql.bindNullable(insert, "recipientMember", receiver.memberId(), Long.class);
		return insert.then()
			.then(this.database.sql("select " + COLUMNS + " from donation where transaction_id = :transaction")
				.bind("transaction", transactionId)
				.map(DonationRepository::donation)
				.one());
	}

	Flux<Donation> received(long householdId, long beforeId, int limit) {
		return page("recipient_household_id", householdId, beforeId, limit);
	}

	Flux<Donation> given(long householdId, long beforeId, int limit) {
		return page("donor_household_id", householdId, beforeId, limit);
	}

	private Flux<Donation> page(String column, long householdId, long beforeId, int limit) {
		return this.database
			.sql("select " + COLUMNS + " from donation where " + column + " = :household and id < :before "
					+ "order by id desc limit :limit")
			.bind("household", householdId)
			.bind("before", beforeId)
			.bind("limit", limit)
			.map(DonationRepository::donation)
			.all();
	}

	Mono<DonationPolicy> policy(long villageId) {
		return this.database
			.sql("select daily_cap, monthly_cap, minimum, assistance_list_only from donation_policy "
					+ "where village_id = :village")
			.bind("village", villageId)
			.map((row) -> new DonationPolicy(row.get("daily_cap", Long.class), row.get("monthly_cap", Long.class),
					row.get("minimum", Long.class), row.get("assistance_list_only", Boolean.class)))
			.one()
			.defaultIfEmpty(DonationPolicy.DEFAULT);
	}

	Mono<Void> savePolicy(long villageId, DonationPolicy policy) {
		return this.database.sql("""
				insert into donation_policy (village_id, daily_cap, monthly_cap, minimum, assistance_list_only)
				values (:village, :daily, :monthly, :minimum, :listOnly)
				on conflict (village_id) do update set daily_cap = excluded.daily_cap,
				    monthly_cap = excluded.monthly_cap, minimum = excluded.minimum,
				    assistance_list_only = excluded.assistance_list_only""")
			.bind("village", villageId)
			.bind("daily", policy.dailyCap())
			.bind("monthly", policy.monthlyCap())
			.bind("minimum", policy.minimum())
			.bind("listOnly", policy.assistanceListOnly())
			.then();
	}

	Mono<Boolean> listed(long householdId) {
		return this.database.sql("select count(*) from assistance_household where household_id = :household")
			.bind("household", householdId)
			.map((row) -> row.get(0, Long.class) > 0)
			.one();
	}

	Mono<Void> list(long villageId, long householdId, String reason, long listedBy) {
		return this.database.sql("""
				insert into assistance_household (household_id, village_id, reason, listed_by)
				values (:household, :village, :reason, :by)
				on conflict (household_id) do update set reason = excluded.reason""")
			.bind("household", householdId)
			.bind("village", villageId)
			.bind("reason", reason)
			.bind("by", listedBy)
			.then();
	}

	Mono<Long> unlist(long householdId) {
		return this.database.sql("delete from assistance_household where household_id = :household")
			.bind("household", householdId)
			.fetch()
			.rowsUpdated();
	}

	/**
	 * Cycles in the village's recent giving: 2 households passing points back and forth,
	 * or rings of 3 to 5. Each cycle once, starting from its smallest household id.
	 */
	Flux<List<Long>> cycles(long villageId, Instant since) {
		return this.database.sql("""
				with recursive edges as (
				    select distinct donor_household_id as a, recipient_household_id as b from donation
				    where village_id = :village and donated_at >= :since),
				walk (start, node, path) as (
				    select a, b, array[a, b] from edges
				    union all
				    select w.start, e.b, w.path || e.b
				    from walk w join edges e on e.a = w.node
				    where w.node <> w.start and cardinality(w.path) <= 5
				      and (e.b = w.start or not e.b = any (w.path)))
				select path from walk
				where node = start and start = (select min(x) from unnest(path) x)
				order by cardinality(path), path""")
			.bind("village", villageId)
			.bind("since", since.atOffset(ZoneOffset.UTC))
			.map((row) -> {
				Long[] path = row.get("path", Long[].class);
				return Arrays.asList(path).subList(0, path.length - 1);
			})
			.all();
	}

	/** Points given from one household to another since a moment. */
	Mono<Long> between(long from, long to, Instant since) {
		return this.database.sql("""
				select coalesce(sum(points), 0) as total from donation
				where donor_household_id = :from and recipient_household_id = :to and donated_at >= :since""")
			.bind("from", from)
			.bind("to", to)
			.bind("since", since.atOffset(ZoneOffset.UTC))
			.map((row) -> ((Number) row.get("total")).longValue())
			.one();
	}

	/**
	 * Who gives: the household, the user, and the member whose account moves for
	 * member-owned kinds.
	 */
	record Giver(HouseholdId household, long userId, @Nullable Long memberId) {
	}

	/** Who receives: the household, and the member for member-owned kinds. */
	record Receiver(HouseholdId household, @Nullable Long memberId) {
	}

	private static Donation donation(Readable row) {
		return new Donation(row.get("id", Long.class), row.get("village_id", Long.class),
				row.get("donor_household_id", Long.class), row.get("donor_user_id", Long.class),
				row.get("recipient_household_id", Long.class), row.get("donor_member_id", Long.class),
				row.get("recipient_member_id", Long.class), row.get("kind_id", Long.class),
				row.get("points", Long.class), row.get("message", String.class), row.get("anonymous", Boolean.class),
				row.get("transaction_id", Long.class), row.get("donated_at", OffsetDateTime.class).toInstant());
	}

}
