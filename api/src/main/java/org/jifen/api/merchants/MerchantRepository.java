package org.jifen.api.merchants;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.ledger.PointKind;
import org.jifen.api.shared.Sql;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.stereotype.Repository;

@Repository
class MerchantRepository {

	/** Namespace of the per-member advisory locks of redemptions. */
	private static final int MEMBER_LOCK = 0x6D6572;

	private static final String OFFER_COLUMNS = "id, merchant_id, title, type, percent_off, cap_fen, amount_off_fen, "
			+ "item_value_fen, stock, points_cost, kind_code, min_stars, min_score, uses_per_period, use_period, "
			+ "valid_from, valid_until, goods_category, village_subsidised, active";

	private static final String REDEMPTION_COLUMNS = "id, merchant_id, offer_id, village_id, household_id, member_id, "
			+ "kind_id, paid_by, via, points, bill_fen, discount_fen, payable_fen, village_subsidised, status, staff_user_id, "
			+ "held_at, hold_expires_at, captured_at, voided_at, reversed_at";

	private final DatabaseClient database;

	MerchantRepository(DatabaseClient database) {
		this.database = database;
	}

	Mono<Long> insertMerchant(long homeRegionId, String name, long enrolledBy, Instant at) {
		return this.database.sql("""
				insert into merchant (home_region_id, name, enrolled_by, enrolled_at)
				values (:home, :name, :by, :at) returning id""")
			.bind("home", homeRegionId)
			.bind("name", name)
			.bind("by", enrolledBy)
			.bind("at", at.atOffset(ZoneOffset.UTC))
			.map((row) -> row.get("id", Long.class))
			.one();
	}

	Mono<Void> insertServed(long merchantId, List<Long> regionIds) {
		return this.database.sql("""
				insert into merchant_region (merchant_id, region_id)
				select :merchant, unnest(:regions::bigint[]) on conflict do nothing""")
			.bind("merchant", merchantId)
			.bind("regions", regionIds.toArray(Long[]::new))
			.then();
	}

	Mono<Merchant> merchant(long id) {
		return merchants("where m.id = :id", id).next();
	}

	/** Merchants enrolled in these regions (a town's, or a county's and its towns'). */
	Flux<Merchant> merchantsOf(List<Long> homeRegionIds) {
		return merchants("where m.home_region_id = any(:id)", homeRegionIds.toArray(Long[]::new));
	}

	private Flux<Merchant> merchants(String where, Object id) {
		return this.database.sql("""
				select m.id, m.home_region_id, m.name, m.enrolled_at,
				       array(select region_id from merchant_region r where r.merchant_id = m.id order by region_id)
				           as served
				from merchant m\s""" + where + " order by m.id")
			.bind("id", id)
			.map((row) -> new Merchant(row.get("id", Long.class), row.get("home_region_id", Long.class),
					row.get("name", String.class), Arrays.asList(row.get("served", Long[].class)),
					instant(row, "enrolled_at")))
			.all();
	}

	Mono<Offer> insertOffer(Offer offer) {
		var insert = this.database.sql("""
				insert into merchant_offer (merchant_id, title, type, percent_off, cap_fen, amount_off_fen,
				    item_value_fen, stock, points_cost, kind_code, min_stars, min_score, uses_per_period, use_period,
				    valid_from, valid_until, goods_category, village_subsidised)
				values (:merchant, :title, :type, :percent, :cap, :amount, :itemValue, :stock, :cost, :kind, :minStars,
				    :minScore, :uses, :period, :from, :until, :category, :subsidised)
				returning\s""" + OFFER_COLUMNS).bind("merchant", offer.merchantId()).bind("type", offer.type().name());
		insert = Sql.bindNullable(insert, "stock", offer.stock(), Integer.class);
		return terms(insert, offer).map((row) -> offer(row)).one();
	}

	/**
	 * Changes an offer's terms (not its type, stock or whether it is active); empty when
	 * the merchant has no such offer.
	 */
	Mono<Offer> updateOffer(Offer offer) {
		var update = this.database.sql("""
				update merchant_offer set title = :title, percent_off = :percent, cap_fen = :cap,
				    amount_off_fen = :amount, item_value_fen = :itemValue, points_cost = :cost, kind_code = :kind,
				    min_stars = :minStars, min_score = :minScore, uses_per_period = :uses, use_period = :period,
				    valid_from = :from, valid_until = :until, goods_category = :category,
				    village_subsidised = :subsidised
				where id = :id and merchant_id = :merchant
				returning\s""" + OFFER_COLUMNS).bind("id", offer.id()).bind("merchant", offer.merchantId());
		return terms(update, offer).map((row) -> offer(row)).one();
	}

	/** Binds an offer's terms to the statement that inserts or updates it. */
	private static GenericExecuteSpec terms(GenericExecuteSpec statement, Offer offer) {
		var spec = statement.bind("title", offer.title())
			.bind("cost", offer.pointsCost())
			.bind("minStars", offer.minStars())
			.bind("category", offer.goodsCategory())
			.bind("subsidised", offer.villageSubsidised());
		spec = Sql.bindNullable(spec, "percent", offer.percentOff(), Integer.class);
		spec = Sql.bindNullable(spec, "cap", offer.capFen(), Long.class);
		spec = Sql.bindNullable(spec, "amount", offer.amountOffFen(), Long.class);
		spec = Sql.bindNullable(spec, "itemValue", offer.itemValueFen(), Long.class);
		spec = Sql.bindNullable(spec, "kind", offer.kind(), String.class);
		spec = Sql.bindNullable(spec, "minScore", offer.minScore(), Long.class);
		spec = Sql.bindNullable(spec, "uses", offer.usesPerPeriod(), Integer.class);
		spec = Sql.bindNullable(spec, "period", (offer.usePeriod() != null) ? offer.usePeriod().name() : null,
				String.class);
		spec = Sql.bindNullable(spec, "from", offer.validFrom(), LocalDate.class);
		spec = Sql.bindNullable(spec, "until", offer.validUntil(), LocalDate.class);
		return spec;
	}

	/** Withdraws an active offer; empty when the merchant has no such active offer. */
	Mono<Offer> withdraw(long offerId, long merchantId) {
		return this.database
			.sql("update merchant_offer set active = false where id = :id and merchant_id = :merchant"
					+ " and active returning " + OFFER_COLUMNS)
			.bind("id", offerId)
			.bind("merchant", merchantId)
			.map((row) -> offer(row))
			.one();
	}

	/**
	 * Adds items to an exchange offer's stock in one conditional update, so a restock and
	 * exchanges taking items at the same moment never lose one; empty when the offer has
	 * no stock or the stock would pass {@code max}.
	 */
	Mono<Offer> restock(long offerId, long merchantId, int quantity, int max) {
		return this.database.sql("""
				update merchant_offer set stock = stock + :quantity
				where id = :id and merchant_id = :merchant and stock is not null and stock <= :max - :quantity
				returning\s""" + OFFER_COLUMNS)
			.bind("id", offerId)
			.bind("merchant", merchantId)
			.bind("quantity", quantity)
			.bind("max", max)
			.map((row) -> offer(row))
			.one();
	}

	Mono<Offer> offer(long id) {
		return offer(id, "");
	}

	/**
	 * The offer, its row locked until the transaction ends (an edit reads what it
	 * replaces).
	 */
	Mono<Offer> lockedOffer(long id) {
		return offer(id, " for update");
	}

	private Mono<Offer> offer(long id, String lock) {
		return this.database.sql("select " + OFFER_COLUMNS + " from merchant_offer where id = :id" + lock)
			.bind("id", id)
			.map((row) -> offer(row))
			.one();
	}

	Flux<Offer> offersOf(long merchantId) {
		return this.database
			.sql("select " + OFFER_COLUMNS + " from merchant_offer where merchant_id = :merchant order by id")
			.bind("merchant", merchantId)
			.map((row) -> offer(row))
			.all();
	}

	/** Active offers of merchants serving any of these regions (a village's ancestry). */
	Flux<Offer> offersServing(List<Long> regionIds) {
		return this.database.sql("select " + OFFER_COLUMNS + """
				 from merchant_offer o
				where o.active and exists (select 1 from merchant_region r
				                           where r.merchant_id = o.merchant_id and r.region_id = any(:regions))
				order by o.id""").bind("regions", regionIds.toArray(Long[]::new)).map((row) -> offer(row)).all();
	}

	Mono<Set<String>> forbidden(long villageId) {
		return this.database.sql("select category from village_forbidden_goods where village_id = :village")
			.bind("village", villageId)
			.map((row) -> row.get("category", String.class))
			.all()
			.collect(HashSet::new, Set::add);
	}

	Mono<Void> saveForbidden(long villageId, Set<String> categories) {
		return this.database.sql("delete from village_forbidden_goods where village_id = :village")
			.bind("village", villageId)
			.then()
			.then(categories.isEmpty() ? Mono.empty()
					: this.database.sql("""
							insert into village_forbidden_goods (village_id, category)
							select :village, unnest(:categories::text[])""")
						.bind("village", villageId)
						.bind("categories", categories.toArray(String[]::new))
						.then());
	}

	/**
	 * Takes the member's checkout lock, which serialises one member's redemptions until
	 * the transaction ends so that per-period uses count every earlier one, then reads
	 * the offer locked until the transaction ends, in one round trip: shared, so that
	 * holds go side by side while an edit waits; for update when the hold is to take
	 * stock, as two shared locks upgrading at once would deadlock. A locking read returns
	 * the offer's latest committed terms even when they changed while the member's lock
	 * was awaited.
	 */
	Mono<Offer> lockMemberAndOffer(long memberId, long offerId, boolean exclusive) {
		return this.database
			.sql("select " + OFFER_COLUMNS
					+ " from (select pg_advisory_xact_lock(:space, :member::int)) as member_lock, merchant_offer"
					+ " where id = :id for " + (exclusive ? "update" : "share") + " of merchant_offer")
			.bind("space", MEMBER_LOCK)
			.bind("member", memberId)
			.bind("id", offerId)
			.map((row) -> offer(row))
			.one();
	}

	/**
	 * Whether a code's nonce was used, and the member's uses of the offer since an
	 * instant that still count (none without one), in one round trip under the member's
	 * lock.
	 */
	Mono<NonceAndUses> nonceUsedAndUses(byte[] nonce, long memberId, long offerId, @Nullable Instant since) {
		GenericExecuteSpec spec = this.database.sql("""
				select exists (select 1 from redemption where code_nonce = :nonce) as nonce_used,
				       (select count(*) from redemption
				        where member_id = :member and offer_id = :offer and held_at >= :since
				          and status in ('HELD', 'CAPTURED')) as uses""")
			.bind("nonce", nonce)
			.bind("member", memberId)
			.bind("offer", offerId);
		spec = Sql.bindNullable(spec, "since", (since != null) ? since.atOffset(ZoneOffset.UTC) : null,
				OffsetDateTime.class);
		return spec
			.map((row) -> new NonceAndUses(Boolean.TRUE.equals(row.get("nonce_used", Boolean.class)),
					row.get("uses", Long.class)))
			.one();
	}

	record NonceAndUses(boolean nonceUsed, long uses) {
	}

	/**
	 * Uses of an offer by a member since an instant that still count (held or captured).
	 */
	Mono<Long> usesSince(long memberId, long offerId, Instant since) {
		return this.database.sql("""
				select count(*) from redemption
				where member_id = :member and offer_id = :offer and held_at >= :since
				  and status in ('HELD', 'CAPTURED')""")
			.bind("member", memberId)
			.bind("offer", offerId)
			.bind("since", since.atOffset(ZoneOffset.UTC))
			.map((row) -> row.get(0, Long.class))
			.one();
	}

	/** Takes one item from stock; false when none is left (never below zero). */
	Mono<Boolean> takeStock(long offerId) {
		return this.database.sql("update merchant_offer set stock = stock - 1 where id = :id and stock > 0")
			.bind("id", offerId)
			.fetch()
			.rowsUpdated()
			.map((rows) -> rows == 1);
	}

	Mono<Void> returnStock(long offerId) {
		return this.database.sql("update merchant_offer set stock = stock + 1 where id = :id and stock is not null")
			.bind("id", offerId)
			.then();
	}

	/** Inserts a held redemption; empty when the code's nonce was used meanwhile. */
	Mono<Long> insertRedemption(Redemption held, byte[] nonce) {
		return this.database
			.sql("""
					insert into redemption (merchant_id, offer_id, village_id, household_id, member_id, kind_id, paid_by,
					    code_nonce, via, points, bill_fen, discount_fen, payable_fen, village_subsidised, status, staff_user_id, held_at,
					    hold_expires_at)
					values (:merchant, :offer, :village, :household, :member, :kind, :paidBy, :nonce, :via, :points, :bill,
					    :discount, :payable, :subsidised, 'HELD', :staff, :heldAt, :expiresAt)
					on conflict (code_nonce) do nothing
					returning id""")
			.bind("merchant", held.merchantId())
			.bind("offer", held.offerId())
			.bind("village", held.villageId())
			.bind("household", held.householdId())
			.bind("member", held.memberId())
			.bind("kind", held.kindId())
			.bind("paidBy", held.paidBy().name())
			.bind("nonce", nonce)
			.bind("via", held.via())
			.bind("points", held.points())
			.bind("bill", held.billFen())
			.bind("discount", held.discountFen())
			.bind("payable", held.payableFen())
			.bind("subsidised", held.villageSubsidised())
			.bind("staff", held.staffUserId())
			.bind("heldAt", held.heldAt().atOffset(ZoneOffset.UTC))
			.bind("expiresAt", held.holdExpiresAt().atOffset(ZoneOffset.UTC))
			.map((row) -> row.get("id", Long.class))
			.one();
	}

	Mono<Redemption> redemption(long id) {
		return this.database.sql("select " + REDEMPTION_COLUMNS + " from redemption where id = :id")
			.bind("id", id)
			.map((row) -> redemption(row))
			.one();
	}

	/**
	 * A merchant's redemptions before an id, newest first, all or of one status (the
	 * till's list).
	 */
	Flux<Redemption> redemptionsOf(long merchantId, Redemption.@Nullable Status status, long beforeId, int limit) {
		var select = this.database
			.sql("select " + REDEMPTION_COLUMNS + " from redemption where merchant_id = :merchant and id < :before"
					+ ((status != null) ? " and status = :status" : "") + " order by id desc limit :limit")
			.bind("merchant", merchantId)
			.bind("before", beforeId)
			.bind("limit", limit);
		if (status != null) {
			select = select.bind("status", status.name());
		}
		return select.map((row) -> redemption(row)).all();
	}

	/** Captures a hold that is still open at {@code now}; empty otherwise. */
	Mono<Redemption> capture(long id, long merchantId, Instant now) {
		return move(id, merchantId, now, "status = 'CAPTURED', captured_at = :now",
				"status = 'HELD' and hold_expires_at > :now", null);
	}

	/** Voids one open hold (cancelled at the till); empty when it is no longer held. */
	Mono<Redemption> voidHeld(long id, long merchantId, Instant now) {
		return move(id, merchantId, now, "status = 'VOIDED', voided_at = :now", "status = 'HELD'", null);
	}

	/** A conditional change of one redemption's state; empty when the condition fails. */
	private Mono<Redemption> move(long id, long merchantId, Instant now, String change, String condition,
			@Nullable Instant since) {
		var update = this.database
			.sql("update redemption set " + change + " where id = :id and merchant_id = :merchant and " + condition
					+ " returning " + REDEMPTION_COLUMNS)
			.bind("id", id)
			.bind("merchant", merchantId)
			.bind("now", now.atOffset(ZoneOffset.UTC));
		if (since != null) {
			update = update.bind("since", since.atOffset(ZoneOffset.UTC));
		}
		return update.map((row) -> redemption(row)).one();
	}

	/**
	 * Voids a batch of holds that ran out before {@code now}; rows another instance is
	 * voiding are skipped.
	 */
	Flux<Redemption> voidDue(Instant now, int limit) {
		return this.database.sql("""
				update redemption set status = 'VOIDED', voided_at = :now
				where id in (select id from redemption where status = 'HELD' and hold_expires_at <= :now
				             order by hold_expires_at limit :limit for update skip locked)
				  and status = 'HELD'
				returning\s""" + REDEMPTION_COLUMNS)
			.bind("now", now.atOffset(ZoneOffset.UTC))
			.bind("limit", limit)
			.map((row) -> redemption(row))
			.all();
	}

	/** Reverses a captured redemption confirmed after {@code since}; empty otherwise. */
	Mono<Redemption> reverse(long id, long merchantId, Instant now, Instant since) {
		return move(id, merchantId, now, "status = 'REVERSED', reversed_at = :now",
				"status = 'CAPTURED' and captured_at >= :since", since);
	}

	/**
	 * A merchant's month per village and offer: what was confirmed in it, and what was
	 * reversed in it (whenever it was confirmed).
	 */
	Flux<StatementRow> statementRows(long merchantId, Instant from, Instant to) {
		return this.database.sql("""
				select village_id, offer_id,
				       count(*) filter (where captured_in) as redemptions,
				       count(*) filter (where reversed_in) as reversals,
				       coalesce(sum(points) filter (where captured_in), 0)
				           - coalesce(sum(points) filter (where reversed_in), 0) as points,
				       coalesce(sum(discount_fen) filter (where captured_in), 0)
				           - coalesce(sum(discount_fen) filter (where reversed_in), 0) as discount_fen,
				       coalesce(sum(discount_fen) filter (where captured_in and village_subsidised), 0)
				           - coalesce(sum(discount_fen) filter (where reversed_in and village_subsidised), 0)
				           as subsidy_fen
				from (select *, captured_at >= :from and captured_at < :to as captured_in,
				             reversed_at is not null and reversed_at >= :from and reversed_at < :to as reversed_in
				      from redemption
				      where merchant_id = :merchant
				        and (captured_at >= :from and captured_at < :to
				             or reversed_at >= :from and reversed_at < :to)) r
				group by village_id, offer_id
				order by village_id, offer_id""")
			.bind("merchant", merchantId)
			.bind("from", from.atOffset(ZoneOffset.UTC))
			.bind("to", to.atOffset(ZoneOffset.UTC))
			.map((row) -> new StatementRow(row.get("village_id", Long.class), row.get("offer_id", Long.class),
					row.get("redemptions", Long.class), row.get("reversals", Long.class),
					((Number) row.get("points")).longValue(), ((Number) row.get("discount_fen")).longValue(),
					((Number) row.get("subsidy_fen")).longValue()))
			.all();
	}

	record StatementRow(long villageId, long offerId, long redemptions, long reversals, long points, long discountFen,
			long subsidyFen) {
	}

	private static Offer offer(Readable row) {
		String period = row.get("use_period", String.class);
		return new Offer(row.get("id", Long.class), row.get("merchant_id", Long.class), row.get("title", String.class),
				Offer.Type.valueOf(row.get("type", String.class)), row.get("percent_off", Integer.class),
				row.get("cap_fen", Long.class), row.get("amount_off_fen", Long.class),
				row.get("item_value_fen", Long.class), row.get("stock", Integer.class),
				row.get("points_cost", Long.class), row.get("kind_code", String.class),
				row.get("min_stars", Integer.class), row.get("min_score", Long.class),
				row.get("uses_per_period", Integer.class), (period != null) ? Offer.UsePeriod.valueOf(period) : null,
				row.get("valid_from", LocalDate.class), row.get("valid_until", LocalDate.class),
				row.get("goods_category", String.class), row.get("village_subsidised", Boolean.class),
				row.get("active", Boolean.class));
	}

	private static Redemption redemption(Readable row) {
		return new Redemption(row.get("id", Long.class), row.get("merchant_id", Long.class),
				row.get("offer_id", Long.class), row.get("village_id", Long.class), row.get("household_id", Long.class),
				row.get("member_id", Long.class), row.get("kind_id", Long.class),
				PointKind.Owner.valueOf(row.get("paid_by", String.class)), row.get("via", String.class),
				row.get("points", Long.class), row.get("bill_fen", Long.class), row.get("discount_fen", Long.class),
				row.get("payable_fen", Long.class), row.get("village_subsidised", Boolean.class),
				Redemption.Status.valueOf(row.get("status", String.class)), row.get("staff_user_id", Long.class),
				instant(row, "held_at"), instant(row, "hold_expires_at"), nullableInstant(row, "captured_at"),
				nullableInstant(row, "voided_at"), nullableInstant(row, "reversed_at"));
	}

	private static Instant instant(Readable row, String column) {
		return row.get(column, OffsetDateTime.class).toInstant();
	}

	private static @Nullable Instant nullableInstant(Readable row, String column) {
		OffsetDateTime value = row.get(column, OffsetDateTime.class);
		return (value != null) ? value.toInstant() : null;
	}

}
