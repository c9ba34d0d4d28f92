package org.jifen.api.ledger;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.shared.Sql;
import org.jifen.api.village.RegionId;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

/**
 * SQL of point kinds, accounts and the journal.
 */
@Repository
class LedgerRepository {

	private static final String KIND_COLUMNS = "id, county_id, code, name, owner, reset, spendable, transferable, may_go_negative, is_default";

	record ChainHead(long lastSeq, byte[] lastHash) {
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
	 * An account's figures after a move, or why it did not move: {@code moved} is false
	 * when the move would take a non-system account below zero, and {@code available} is
	 * then what it has.
	 */
	record Applied(long accountId, boolean moved, long available) {
	}

	/**
	 * Moves the figures of an owner's account in a village and kind, found by its owner
	 * in the same statement, unless that would take a non-system account below zero. Only
	 * a deduction (a leg that moves score) may do so, and only in a kind that may go
	 * negative: spending and giving never overdraw. Empty when the account is not open
	 * yet.
	 */
	Mono<Applied> apply(RegionId village, long kindId, AccountRef owner, long amount, long scoreDelta) {
		String ownerMatch = switch (owner) {
			case AccountRef.Household household ->
				"owner_type = 'HOUSEHOLD' and household_id = :owner and member_id is null and system_role is null";
			case AccountRef.Member member ->
				"owner_type = 'MEMBER' and member_id = :owner and household_id is null and system_role is null";
			case AccountRef.System system ->
				"owner_type = 'SYSTEM' and system_role = :owner and household_id is null and member_id is null";
		};
		Object ownerValue = switch (owner) {
			case AccountRef.Household household -> household.id().value();
			case AccountRef.Member member -> member.id().value();
			case AccountRef.System system -> system.role().name();
		};
		// The main query sees the account as it was before the update: its available is
		// only read when the move was refused, and then nothing changed.
		return this.database
			.sql("""
					with target as (
					    select id, available from account
					    where village_id = :village and kind_id = :kind and %s),
					moved as (
					    update account a set available = a.available + :amount, score = a.score + :scoreDelta
					    from target, point_kind k
					    where a.id = target.id and k.id = a.kind_id
					      and (a.owner_type = 'SYSTEM' or (k.may_go_negative and :scoreDelta <> 0) or :amount >= 0
					           or a.available + :amount >= 0)
					    returning a.id)
					select target.id, exists (select 1 from moved) as moved, target.available from target"""
				.formatted(ownerMatch))
			.bind("village", village.value())
			.bind("kind", kindId)
			.bind("owner", ownerValue)
			.bind("amount", amount)
			.bind("scoreDelta", scoreDelta)
			.map((row) -> new Applied(row.get("id", Long.class), Boolean.TRUE.equals(row.get("moved", Boolean.class)),
					row.get("available", Long.class)))
			.one();
	}

	/** Opens an owner's account in a village and kind, unless it is open already. */
	Mono<Void> open(RegionId village, long kindId, AccountRef owner) {
		String ownerType = switch (owner) {
			case AccountRef.Household household -> "HOUSEHOLD";
			case AccountRef.Member member -> "MEMBER";
			case AccountRef.System system -> "SYSTEM";
		};
		Long householdId = (owner instanceof AccountRef.Household household) ? household.id().value() : null;
		Long memberId = (owner instanceof AccountRef.Member member) ? member.id().value() : null;
		String systemRole = (owner instanceof AccountRef.System system) ? system.role().name() : null;
		var insert = this.database.sql("""
				insert into account (village_id, kind_id, owner_type, household_id, member_id, system_role)
				values (:village, :kind, :ownerType, :household, :member, :role)
				on conflict do nothing""")
			.bind("village", village.value())
			.bind("kind", kindId)
			.bind("ownerType", ownerType);
		insert = Sql.bindNullable(insert, "household", householdId, Long.class);
		insert = Sql.bindNullable(insert, "member", memberId, Long.class);
		insert = Sql.bindNullable(insert, "role", systemRole, String.class);
		return insert.then();
	}

	/**
	 * The village's chain head, locked until the transaction ends (started on the first
	 * posting).
	 */
	Mono<ChainHead> lockChain(RegionId village) {
		Mono<ChainHead> locked = this.database
			.sql("select last_seq, last_hash from journal_chain where village_id = :village for update")
			.bind("village", village.value())
			.map((row) -> new ChainHead(row.get("last_seq", Long.class), row.get("last_hash", byte[].class)))
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
	 * Writes a journal transaction with its entries and advances the chain to it, in one
	 * statement.
	 */
	Mono<Long> insertTransaction(RegionId village, long seq, String type, String memo, @Nullable String requestId,
			Instant occurredAt, byte[] prevHash, byte[] hash, @Nullable String category, List<JournalHash.Line> lines) {
		var spec = this.database.sql("""
				with posted as (
				    insert into journal_transaction (village_id, seq, type, memo, request_id, occurred_at, prev_hash,
				                                     hash, category)
				    values (:village, :seq, :type, :memo, :request, :occurredAt, :prevHash, :hash, :category)
				    returning id),
				entries as (
				    insert into journal_entry (transaction_id, account_id, amount, score_delta)
				    select posted.id, line.account_id, line.amount, line.score_delta
				    from posted, unnest(cast(:accounts as bigint[]), cast(:amounts as bigint[]),
				                        cast(:scoreDeltas as bigint[])) with ordinality
				         as line(account_id, amount, score_delta, position)
				    order by line.position),
				chain as (
				    update journal_chain set last_seq = :seq, last_hash = :hash where village_id = :village)
				select id from posted""")
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
		return spec.map((row) -> row.get("id", Long.class)).one();
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
