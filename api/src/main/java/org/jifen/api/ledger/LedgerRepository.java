package org.jifen.api.ledger;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.shared.Sql;
import org.jifen.api.village.RegionId;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.stereotype.Repository;

/**
 * SQL of point kinds, accounts and the journal.
 */
@Repository
class LedgerRepository {

	private static final String KIND_COLUMNS = "id, county_id, code, name, owner, reset, spendable, transferable, may_go_negative, is_default";

	/**
	 * The chain's head, and the ids of a posting's accounts (null where not open yet).
	 */
	record ChainHead(long lastSeq, byte[] lastHash, List<@Nullable Long> accountIds) {
	}

	/** A stored transaction with its entries, as the verification reads it. */
	record StoredTransaction(long id, long seq, String type, String memo, @Nullable String requestId,
			Instant occurredAt, byte[] prevHash, byte[] hash, List<JournalHash.Line> lines, @Nullable String category) {
	}

	record AccountMismatch(long accountId, long score, long available, long entryScore, long entryAvailable) {
	}

	private final DatabaseClient database;

	LedgerRepository(DatabaseClient database) {
		this.database = database;
	}

	/**
	 * Saves a county's point kind. A new code is inserted; an existing one is changed
	 * when {@code replace} is set and left alone (empty answer) otherwise.
	 */
	Mono<PointKind> saveKind(long countyId, PointKind kind, boolean replace) {
		String onConflict = replace ? """
				on conflict (county_id, code) do update set name = excluded.name, owner = excluded.owner,
				    reset = excluded.reset, spendable = excluded.spendable, transferable = excluded.transferable,
				    may_go_negative = excluded.may_go_negative""" : "on conflict (county_id, code) do nothing";
		return this.database
			.sql("""
					insert into point_kind (county_id, code, name, owner, reset, spendable, transferable, may_go_negative, is_default)
					values (:county, :code, :name, :owner, :reset, :spendable, :transferable, :negative, :isDefault)
					"""
					+ onConflict + " returning " + KIND_COLUMNS)
			.bind("county", countyId)
			.bind("code", kind.code())
			.bind("name", kind.name())
			.bind("owner", kind.owner().name())
			.bind("reset", kind.reset().name())
			.bind("spendable", kind.spendable())
			.bind("transferable", kind.transferable())
			.bind("negative", kind.mayGoNegative())
			.bind("isDefault", kind.isDefault())
			.map(LedgerRepository::pointKind)
			.one();
	}

	Mono<Boolean> kindInUse(long kindId) {
		return this.database.sql("select exists (select 1 from account where kind_id = :kind) as used")
			.bind("kind", kindId)
			.map((row) -> row.get("used", Boolean.class))
			.one();
	}

	Flux<PointKind> kinds(long countyId) {
		return this.database.sql("select " + KIND_COLUMNS + " from point_kind where county_id = :county order by id")
			.bind("county", countyId)
			.map(LedgerRepository::pointKind)
			.all();
	}

	Mono<PointKind> kind(long kindId) {
		return this.database.sql("select " + KIND_COLUMNS + " from point_kind where id = :id")
			.bind("id", kindId)
			.map(LedgerRepository::pointKind)
			.one();
	}

	/**
	 * The accounts of a posting's legs, as arrays bound in leg order: the owner's type
	 * and its household, member or system role (0 or '' where the owner is of another
	 * type).
	 */
	record Owners(String[] types, Long[] households, Long[] members, String[] roles) {

		static Owners of(List<Posting.Leg> legs) {
			int count = legs.size();
			Owners owners = new Owners(new String[count], new Long[count], new Long[count], new String[count]);
			for (int i = 0; i < count; i++) {
				owners.households[i] = 0L;
				owners.members[i] = 0L;
				owners.roles[i] = "";
				switch (legs.get(i).account()) {
					case AccountRef.Household household -> {
						owners.types[i] = "HOUSEHOLD";
						owners.households[i] = household.id().value();
					}
					case AccountRef.Member member -> {
						owners.types[i] = "MEMBER";
						owners.members[i] = member.id().value();
					}
					case AccountRef.System system -> {
						owners.types[i] = "SYSTEM";
						owners.roles[i] = system.role().name();
					}
				}
			}
			return owners;
		}

		GenericExecuteSpec bind(GenericExecuteSpec spec) {
			return spec.bind("ownerTypes", this.types)
				.bind("households", this.households)
				.bind("members", this.members)
				.bind("roles", this.roles);
		}

	}

	/**
	 * The ids of the legs' accounts in leg order, null where an account is not open yet:
	 * each found through the owner's unique index.
	 */
	private static final String ACCOUNT_IDS = """
			array(select coalesce(
			          (select a.id from account a
			           where o.owner_type = 'HOUSEHOLD' and a.village_id = :village and a.kind_id = :kind
			             and a.owner_type = 'HOUSEHOLD' and a.household_id = o.household
			             and a.member_id is null and a.system_role is null),
			          (select a.id from account a
			           where o.owner_type = 'MEMBER' and a.village_id = :village and a.kind_id = :kind
			             and a.owner_type = 'MEMBER' and a.household_id is null and a.member_id = o.member
			             and a.system_role is null),
			          (select a.id from account a
			           where o.owner_type = 'SYSTEM' and a.village_id = :village and a.kind_id = :kind
			             and a.owner_type = 'SYSTEM' and a.household_id is null and a.member_id is null
			             and a.system_role = o.role))
			      from unnest(cast(:ownerTypes as text[]), cast(:households as bigint[]), cast(:members as bigint[]),
			                  cast(:roles as text[])) with ordinality as o(owner_type, household, member, role, position)
			      order by o.position)""";

	/**
	 * The village's chain head, locked until the transaction ends (started on the first
	 * posting), with the ids of the posting's accounts: one round trip before the append.
	 */
	Mono<ChainHead> lockChain(RegionId village, long kindId, Owners owners) {
		Mono<ChainHead> locked = owners.bind(this.database.sql("select c.last_seq, c.last_hash, " + ACCOUNT_IDS + """
				 as account_ids
				from journal_chain c where c.village_id = :village for update of c"""))
			.bind("village", village.value())
			.bind("kind", kindId)
			.map((row) -> new ChainHead(row.get("last_seq", Long.class), row.get("last_hash", byte[].class),
					Arrays.asList(row.get("account_ids", Long[].class))))
			.one();
		return locked.switchIfEmpty(Mono.defer(() -> this.database.sql("""
				insert into journal_chain (village_id, last_seq, last_hash) values (:village, 0, :genesis)
				on conflict do nothing""")
			.bind("village", village.value())
			.bind("genesis", JournalHash.GENESIS)
			.then()
			.then(locked)));
	}

	/**
	 * Opens the owners' accounts that are not open yet and answers every account's id in
	 * leg order. Runs under the chain's lock, which every opening of a village's accounts
	 * takes.
	 */
	Mono<List<@Nullable Long>> openAccounts(RegionId village, long kindId, Owners owners) {
		return owners.bind(this.database.sql("""
				insert into account (village_id, kind_id, owner_type, household_id, member_id, system_role)
				select :village, :kind, o.owner_type, nullif(o.household, 0), nullif(o.member, 0), nullif(o.role, '')
				from unnest(cast(:ownerTypes as text[]), cast(:households as bigint[]), cast(:members as bigint[]),
				            cast(:roles as text[])) as o(owner_type, household, member, role)
				on conflict do nothing"""))
			.bind("village", village.value())
			.bind("kind", kindId)
			.then()
			.then(owners.bind(this.database.sql("select " + ACCOUNT_IDS + " as account_ids"))
				.bind("village", village.value())
				.bind("kind", kindId)
				.map((row) -> Arrays.<@Nullable Long>asList(row.get("account_ids", Long[].class)))
				.one());
	}

	/**
	 * What an append did: the new transaction's id, or (id null) the first leg, by its
	 * position from 0, whose account would have gone below zero, and what that account
	 * has.
	 */
	record Appended(@Nullable Long transactionId, int refusedLeg, long refusedAvailable) {
	}

	/**
	 * The transaction already posted under this request id. Its own statement, after the
	 * chain's lock: a statement that waited for the lock still reads other rows as they
	 * were when it began, and would miss the posting that the lock's holder committed.
	 */
	Mono<Posted> findByRequest(RegionId village, String requestId) {
		return this.database
			.sql("select id, seq, hash from journal_transaction where village_id = :village and request_id = :request")
			.bind("village", village.value())
			.bind("request", requestId)
			.map((row) -> new Posted(row.get("id", Long.class), row.get("seq", Long.class),
					JournalHash.hex(row.get("hash", byte[].class))))
			.one();
	}

	/**
	 * Appends a journal transaction in one statement: every leg moves its account (one
	 * account per leg, as {@link Posting} requires) unless that would take a non-system
	 * account below zero (only a deduction, a leg that moves score, may, and only in a
	 * kind that may go negative: spending and giving never overdraw); if every account
	 * moved, the transaction and its entries are written and the chain advances to it. If
	 * one did not, nothing is written but the moves of the others, which the caller's
	 * transaction rolls back with the refusal it raises.
	 */
	Mono<Appended> append(RegionId village, long seq, String type, String memo, @Nullable String requestId,
			Instant occurredAt, byte[] prevHash, byte[] hash, @Nullable String category, List<JournalHash.Line> lines) {
		var spec = this.database.sql("""
				with leg as (
				    select * from unnest(cast(:accounts as bigint[]), cast(:amounts as bigint[]),
				                         cast(:scoreDeltas as bigint[])) with ordinality
				        as l(account_id, amount, score_delta, position)),
				moved as (
				    update account a set available = a.available + leg.amount, score = a.score + leg.score_delta
				    from leg, point_kind k
				    where a.id = leg.account_id and k.id = a.kind_id
				      and (a.owner_type = 'SYSTEM' or (k.may_go_negative and leg.score_delta <> 0) or leg.amount >= 0
				           or a.available + leg.amount >= 0)
				    returning a.id),
				posted as (
				    insert into journal_transaction (village_id, seq, type, memo, request_id, occurred_at, prev_hash,
				                                     hash, category)
				    select :village, :seq, :type, :memo, :request, :occurredAt, :prevHash, :hash, :category
				    where (select count(*) from moved) = (select count(*) from leg)
				    returning id),
				entries as (
				    insert into journal_entry (transaction_id, account_id, amount, score_delta)
				    select posted.id, leg.account_id, leg.amount, leg.score_delta
				    from posted, leg
				    order by leg.position),
				chain as (
				    update journal_chain set last_seq = :seq, last_hash = :hash
				    where village_id = :village and exists (select 1 from posted))
				select (select id from posted) as id, refused.position, refused.available
				from (select 1) as one
				     left join lateral (
				         select leg.position - 1 as position, a.available
				         from leg join account a on a.id = leg.account_id
				         where leg.account_id not in (select id from moved)
				         order by leg.position limit 1) as refused on true""")
			.bind("village", village.value())
			.bind("seq", seq)
			.bind("type", type)
			.bind("memo", memo)
			.bind("occurredAt", occurredAt.atOffset(ZoneOffset.UTC))
			.bind("prevHash", prevHash)
			.bind("hash", hash)
			.bind("accounts", lines.stream().map(JournalHash.Line::accountId).toArray(Long[]::new))
			.bind("amounts", lines.stream().map(JournalHash.Line::amount).toArray(Long[]::new))
			.bind("scoreDeltas", lines.stream().map(JournalHash.Line::scoreDelta).toArray(Long[]::new));
		spec = Sql.bindNullable(spec, "request", requestId, String.class);
		spec = Sql.bindNullable(spec, "category", category, String.class);
		return spec.map((row) -> {
			Long position = row.get("position", Long.class);
			Long available = row.get("available", Long.class);
			return new Appended(row.get("id", Long.class), (position != null) ? position.intValue() : -1,
					(available != null) ? available : 0);
		}).one();
	}

	Flux<Balance> balances(long householdId, Instant monthStart, Instant quarterStart, Instant yearStart) {
		return balances("household_id", householdId, monthStart, quarterStart, yearStart);
	}

	/** A member's accounts (of member-owned kinds), as {@link #balances}. */
	Flux<Balance> memberBalances(long memberId, Instant monthStart, Instant quarterStart, Instant yearStart) {
		return balances("member_id", memberId, monthStart, quarterStart, yearStart);
	}

	private Flux<Balance> balances(String ownerColumn, long ownerId, Instant monthStart, Instant quarterStart,
			Instant yearStart) {
		// Summed per account through its entries' index: one join over all entries let
		// the planner scan the whole journal for every balance read.
		return this.database.sql("""
				select k.code, k.name, a.score, a.available, p.month, p.quarter, p.year
				from account a join point_kind k on k.id = a.kind_id
				     cross join lateral (
				         select coalesce(sum(e.score_delta) filter (where t.occurred_at >= :month), 0) as month,
				                coalesce(sum(e.score_delta) filter (where t.occurred_at >= :quarter), 0) as quarter,
				                coalesce(sum(e.score_delta), 0) as year
				         from journal_entry e join journal_transaction t on t.id = e.transaction_id
				         where e.account_id = a.id and t.occurred_at >= :year) p
				where a.""" + ownerColumn + """
				       = :owner
				order by k.id""")
			.bind("owner", ownerId)
			.bind("month", monthStart.atOffset(ZoneOffset.UTC))
			.bind("quarter", quarterStart.atOffset(ZoneOffset.UTC))
			.bind("year", yearStart.atOffset(ZoneOffset.UTC))
			.map((row) -> new Balance(row.get("code", String.class), row.get("name", String.class),
					row.get("score", Long.class), row.get("available", Long.class),
					((Number) row.get("month")).longValue(), ((Number) row.get("quarter")).longValue(),
					((Number) row.get("year")).longValue()))
			.all();
	}

	/** A household's entries, newest first, before an entry id (the cursor). */
	Flux<HistoryEntry> history(long householdId, long beforeEntryId, int limit) {
		return this.database.sql("""
				select e.id as entry_id, t.id as transaction_id, t.occurred_at, k.code, t.type, t.memo,
				       e.amount, e.score_delta, t.request_id
				from journal_entry e
				     join account a on a.id = e.account_id
				     join point_kind k on k.id = a.kind_id
				     join journal_transaction t on t.id = e.transaction_id
				where a.household_id = :household and e.id < :before
				order by e.id desc
				limit :limit""")
			.bind("household", householdId)
			.bind("before", beforeEntryId)
			.bind("limit", limit)
			.map((row) -> new HistoryEntry(row.get("entry_id", Long.class), row.get("transaction_id", Long.class),
					row.get("occurred_at", OffsetDateTime.class).toInstant(), row.get("code", String.class),
					row.get("type", String.class), row.get("memo", String.class), row.get("amount", Long.class),
					row.get("score_delta", Long.class), row.get("request_id", String.class)))
			.all();
	}

	/** The village's journal in chain order, each transaction with its entries. */
	Flux<StoredTransaction> journal(RegionId village) {
		return this.database.sql("""
				select t.id, t.seq, t.type, t.memo, t.request_id, t.occurred_at, t.prev_hash, t.hash, t.category,
				       array_agg(e.account_id order by e.id) as accounts,
				       array_agg(e.amount order by e.id) as amounts,
				       array_agg(e.score_delta order by e.id) as deltas
				from journal_transaction t left join journal_entry e on e.transaction_id = t.id
				where t.village_id = :village
				group by t.id
				order by t.seq""").bind("village", village.value()).map((row) -> {
			Long[] accounts = row.get("accounts", Long[].class);
			Long[] amounts = row.get("amounts", Long[].class);
			Long[] deltas = row.get("deltas", Long[].class);
			List<JournalHash.Line> lines = new ArrayList<>();
			for (int i = 0; accounts != null && i < accounts.length; i++) {
				if (accounts[i] != null) {
					lines.add(new JournalHash.Line(accounts[i], amounts[i], deltas[i]));
				}
			}
			return new StoredTransaction(row.get("id", Long.class), row.get("seq", Long.class),
					row.get("type", String.class), row.get("memo", String.class), row.get("request_id", String.class),
					row.get("occurred_at", OffsetDateTime.class).toInstant(), row.get("prev_hash", byte[].class),
					row.get("hash", byte[].class), lines, row.get("category", String.class));
		}).all();
	}

	/**
	 * A village's accounts of one kind (not the system's), with what their entries before
	 * a moment sum to.
	 */
	Flux<ResetLine> balancesBefore(RegionId village, long kindId, Instant before) {
		return this.database.sql("""
				select a.household_id, a.member_id,
				       coalesce(sum(e.amount), 0) as amount, coalesce(sum(e.score_delta), 0) as score
				from account a
				     join journal_entry e on e.account_id = a.id
				     join journal_transaction t on t.id = e.transaction_id
				where a.village_id = :village and a.kind_id = :kind and a.owner_type <> 'SYSTEM'
				  and t.occurred_at < :before
				group by a.id, a.household_id, a.member_id
				having coalesce(sum(e.amount), 0) <> 0 or coalesce(sum(e.score_delta), 0) <> 0
				order by a.id""")
			.bind("village", village.value())
			.bind("kind", kindId)
			.bind("before", before.atOffset(ZoneOffset.UTC))
			.map((row) -> new ResetLine(row.get("household_id", Long.class), row.get("member_id", Long.class),
					((Number) row.get("amount")).longValue(), ((Number) row.get("score")).longValue()))
			.all();
	}

	/** An owner's figures to bring back to zero. */
	record ResetLine(@Nullable Long householdId, @Nullable Long memberId, long amount, long score) {
	}

	Mono<Long> accountCount(RegionId village) {
		return this.database.sql("select count(*) as n from account where village_id = :village")
			.bind("village", village.value())
			.map((row) -> row.get("n", Long.class))
			.one();
	}

	/** The first account whose stored figures differ from the sums of its entries. */
	Mono<AccountMismatch> firstMismatchedAccount(RegionId village) {
		return this.database.sql("""
				select a.id, a.score, a.available,
				       coalesce(sum(e.score_delta), 0) as entry_score, coalesce(sum(e.amount), 0) as entry_available
				from account a left join journal_entry e on e.account_id = a.id
				where a.village_id = :village
				group by a.id
				having a.score <> coalesce(sum(e.score_delta), 0) or a.available <> coalesce(sum(e.amount), 0)
				order by a.id
				limit 1""")
			.bind("village", village.value())
			.map((row) -> new AccountMismatch(row.get("id", Long.class), row.get("score", Long.class),
					row.get("available", Long.class), ((Number) row.get("entry_score")).longValue(),
					((Number) row.get("entry_available")).longValue()))
			.one();
	}

	private static PointKind pointKind(Readable row) {
		return new PointKind(row.get("id", Long.class), row.get("county_id", Long.class), row.get("code", String.class),
				row.get("name", String.class), PointKind.Owner.valueOf(row.get("owner", String.class)),
				PointKind.Reset.valueOf(row.get("reset", String.class)), row.get("spendable", Boolean.class),
				row.get("transferable", Boolean.class), row.get("may_go_negative", Boolean.class),
				row.get("is_default", Boolean.class));
	}

}
