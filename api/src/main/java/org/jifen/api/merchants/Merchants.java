package org.jifen.api.merchants;

import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.audit.AuditTrail;
import org.jifen.api.boards.Boards;
import org.jifen.api.identity.Access;
import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Caller;
import org.jifen.api.identity.Grant;
import org.jifen.api.ledger.Balance;
import org.jifen.api.ledger.Ledger;
import org.jifen.api.ledger.PointKind;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.jifen.api.shared.ShortCache;
import org.jifen.api.village.HouseholdPlace;
import org.jifen.api.village.MemberHome;
import org.jifen.api.village.MemberId;
import org.jifen.api.village.RegionId;
import org.jifen.api.village.RegionLevel;
import org.jifen.api.village.Villages;
import org.springframework.context.MessageSource;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The alliance's members and what they offer: towns and counties enrol merchants and
 * their staff and define offers; villages name goods they forbid; villagers see every
 * offer that reaches their village, with the reasons they cannot use the others.
 */
@Service
public class Merchants {

	private final MerchantRepository repository;

	private final Villages villages;

	private final Access access;

	private final Accounts accounts;

	private final PointKinds kinds;

	private final Ledger ledger;

	private final Boards boards;

	private final AuditTrail auditTrail;

	private final MessageSource messages;

	private final Clock clock;

	/** Merchants do not change once enrolled; kept briefly all the same. */
	private final ShortCache<Long, Merchant> merchants = new ShortCache<>(Duration.ofSeconds(30), 10_000);

	/**
	 * Offers as the till's scan first sees them; the hold re-reads its offer, locked, in
	 * its transaction.
	 */
	private final ShortCache<Long, Offer> offers = new ShortCache<>(Duration.ofSeconds(30), 50_000);

	private final ShortCache<Long, Set<String>> forbidden = new ShortCache<>(Duration.ofSeconds(30), 50_000);

	Merchants(MerchantRepository repository, Villages villages, Access access, Accounts accounts, PointKinds kinds,
			Ledger ledger, Boards boards, AuditTrail auditTrail, MessageSource messages, Clock clock) {
		this.repository = repository;
		this.villages = villages;
		this.access = access;
		this.accounts = accounts;
		this.kinds = kinds;
		this.ledger = ledger;
		this.boards = boards;
		this.auditTrail = auditTrail;
		this.messages = messages;
		this.clock = clock;
		// Bundles load from disk on first use: now, not on an event loop.
		List.of(Locale.SIMPLIFIED_CHINESE, Locale.ENGLISH)
			.forEach((locale) -> messages.getMessage("merchants.reason.needs-stars", null, "", locale));
	}

	/** The merchant, if the caller administers its home town or county. */
	public Mono<Caller> adminOf(long merchantId) {
		return merchant(merchantId)
			.flatMap((merchant) -> this.access.requireAdmin(new RegionId(merchant.homeRegionId())));
	}

	/** The caller, if they are the merchant's staff or oversee its home region. */
	public Mono<Caller> staffOrOverseer(long merchantId) {
		return merchant(merchantId).flatMap((merchant) -> this.access.caller()
			.flatMap((caller) -> this.access.isMerchantStaff(caller, merchantId) ? Mono.just(caller)
					: this.access.requireOversight(new RegionId(merchant.homeRegionId()))));
	}

	public Mono<Merchant> merchant(long merchantId) {
		return this.merchants.get(merchantId, this.repository::merchant)
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.NOT_FOUND, "merchant-not-found",
					"There is no merchant " + merchantId + ".", Map.of("merchantId", merchantId))));
	}

	/**
	 * Enrols a merchant at a town or county; the caller must administer every region it
	 * is to serve.
	 */
	@Transactional
	public Mono<Merchant> enrol(Caller caller, RegionId home, String name, List<Long> served) {
		return this.access.requireAdmin(caller, home)
			.then(this.villages.region(home))
			.filter((region) -> region.level() == RegionLevel.TOWN || region.level() == RegionLevel.COUNTY)
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.REFUSED, "merchant-home-not-town",
					"Merchants are enrolled by a town or a county.", Map.of("regionId", home.value()))))
			.thenMany(Flux.fromIterable(served))
			.concatMap((region) -> this.access.requireAdmin(caller, new RegionId(region)))
			.then(this.repository.insertMerchant(home.value(), name, caller.userId(), this.clock.instant()))
			.flatMap((id) -> this.repository.insertServed(id, served).then(merchant(id)))
			.flatMap((merchant) -> this.auditTrail
				.record(caller.actor(), home.value(), "merchant.enrolled", "merchant:" + merchant.id(), null, merchant)
				.thenReturn(merchant));
	}

	/** The merchants of a town or county and of every town below it. */
	public Flux<Merchant> merchantsOf(RegionId region) {
		return this.access.requireOversight(region)
			.then(this.villages.subtree(region))
			.flatMapMany((regions) -> this.repository.merchantsOf(regions.stream().map(RegionId::value).toList()));
	}

	/** A staff account of the merchant (MERCHANT_STAFF scoped to it). */
	@Transactional
	public Mono<Long> addStaff(Caller caller, long merchantId, String username, String displayName, String password) {
		return merchant(merchantId).flatMap((merchant) -> this.access
			.requireAdmin(caller, new RegionId(merchant.homeRegionId()))
			.then(this.accounts.createStaff(username, displayName, password, List.of(Grant.atMerchant(merchantId))))
			.flatMap((userId) -> this.auditTrail
				.record(caller.actor(), merchant.homeRegionId(), "merchant.staff-added", "merchant:" + merchantId, null,
						Map.of("userId", userId, "username", username))
				.thenReturn(userId)));
	}

	@Transactional
	public Mono<Offer> createOffer(Caller caller, long merchantId, Offer draft) {
		return merchant(merchantId)
			.flatMap((merchant) -> this.access.requireAdmin(caller, new RegionId(merchant.homeRegionId()))
				.then(payable(merchant, draft))
				.then(Mono.defer(() -> this.repository.insertOffer(draft)))
				.flatMap((offer) -> audited(caller, merchant, "merchant.offer-created", null, offer, offer)));
	}

	/**
	 * Changes an offer's terms. Its type stays (a new type is a new offer) and its stock
	 * changes only by restocking, so exchanges under way never lose an item. Redemptions
	 * already held keep the terms they were held under.
	 */
	@Transactional
	public Mono<Offer> editOffer(Caller caller, long merchantId, long offerId, Offer draft) {
		return merchant(merchantId)
			.flatMap((merchant) -> this.access.requireAdmin(caller, new RegionId(merchant.homeRegionId()))
				.then(this.repository.lockedOffer(offerId))
				.filter((before) -> before.merchantId() == merchantId)
				.switchIfEmpty(Mono.error(() -> offerNotFound(offerId)))
				.flatMap((before) -> {
					if (before.type() != draft.type()) {
						return Mono.error(new DomainException(Kind.REFUSED, "offer-type-unchangeable",
								"An offer's type stays " + before.type() + "; withdraw it and define a new offer.",
								Map.of("offerType", before.type().name())));
					}
					if (draft.stock() != null) {
						return Mono.error(new DomainException(Kind.MALFORMED, "offer-shape-invalid",
								"Stock changes by restocking, not by editing the offer.",
								Map.of("offerType", draft.type().name())));
					}
					Offer terms = draft.replacing(before);
					return payable(merchant, terms).then(this.offers.forgetOnCommit(offerId))
						.then(this.repository.updateOffer(terms))
						.flatMap((after) -> audited(caller, merchant, "merchant.offer-edited", before, after, after));
				}));
	}

	/**
	 * Withdraws an offer: villagers no longer see it and no new code is issued or
	 * redeemed for it; holds already made may still be confirmed. Withdrawing again
	 * answers the same.
	 */
	@Transactional
	public Mono<Offer> withdrawOffer(Caller caller, long merchantId, long offerId) {
		return merchant(merchantId)
			.flatMap((merchant) -> this.access.requireAdmin(caller, new RegionId(merchant.homeRegionId()))
				.then(this.offers.forgetOnCommit(offerId))
				.then(this.repository.withdraw(offerId, merchantId))
				.flatMap((after) -> audited(caller, merchant, "merchant.offer-withdrawn", Map.of("active", true), after,
						Map.of("active", false)))
				.switchIfEmpty(Mono.defer(() -> offerOf(merchantId, offerId))));
	}

	/**
	 * Adds items to an exchange offer's stock, atomically: exchanges taking items at the
	 * same moment never make one disappear.
	 */
	@Transactional
	public Mono<Offer> restock(Caller caller, long merchantId, long offerId, int quantity) {
		return merchant(merchantId)
			.flatMap((merchant) -> this.access.requireAdmin(caller, new RegionId(merchant.homeRegionId()))
				.then(this.offers.forgetOnCommit(offerId))
				.then(this.repository.restock(offerId, merchantId, quantity, Offer.MAX_STOCK))
				.flatMap((after) -> audited(caller, merchant, "merchant.offer-restocked",
						Map.of("stock", after.stock() - quantity), after,
						Map.of("stock", after.stock(), "added", quantity)))
				.switchIfEmpty(Mono
					.defer(() -> offerOf(merchantId, offerId).flatMap((found) -> Mono.error(notRestocked(found))))));
	}

	/** Why an offer found was not restocked: it has no stock, or too much. */
	private static DomainException notRestocked(Offer found) {
		if (found.stock() == null) {
			return new DomainException(Kind.REFUSED, "offer-has-no-stock",
					"Only an item exchanged for points has stock; " + found.type() + " has none.",
					Map.of("offerType", found.type().name()));
		}
		return new DomainException(Kind.REFUSED, "stock-limit-exceeded",
				"Stock is at most " + Offer.MAX_STOCK + "; it is " + found.stock() + ".",
				Map.of("max", Offer.MAX_STOCK, "stock", found.stock()));
	}

	/**
	 * The draft, if its shape is whole and its points can be spent (a perk costing 0 may
	 * name any kind).
	 */
	private Mono<Offer> payable(Merchant merchant, Offer draft) {
		return Mono.fromCallable(() -> valid(draft))
			.flatMap((offer) -> this.kinds.kindOrDefault(new RegionId(merchant.homeRegionId()), offer.kind()))
			.filter((kind) -> draft.pointsCost() == 0 || kind.spendable())
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.REFUSED, "offer-kind-not-spendable",
					"Points of " + draft.kind() + " cannot be spent; make the offer cost 0 or name another kind.",
					Map.of("kind", String.valueOf(draft.kind())))))
			.thenReturn(draft);
	}

	/**
	 * The offer, once the change to it is in the audit trail of the merchant's region.
	 */
	private Mono<Offer> audited(Caller caller, Merchant merchant, String action, @Nullable Object before, Offer offer,
			Object after) {
		return this.auditTrail
			.record(caller.actor(), merchant.homeRegionId(), action, "offer:" + offer.id(), before, after)
			.thenReturn(offer);
	}

	/** The merchant's offer; 404 when it is another merchant's. */
	Mono<Offer> offerOf(long merchantId, long offerId) {
		return this.repository.offer(offerId)
			.filter((offer) -> offer.merchantId() == merchantId)
			.switchIfEmpty(Mono.error(() -> offerNotFound(offerId)));
	}

	public Flux<Offer> offersOf(long merchantId) {
		return this.repository.offersOf(merchantId);
	}

	Mono<Offer> offer(long offerId) {
		return this.repository.offer(offerId).switchIfEmpty(Mono.error(() -> offerNotFound(offerId)));
	}

	/**
	 * The offer as kept for up to 30 s, for what does not change its terms (whose it is,
	 * its type): a till's scan reads it, and the hold then reads it afresh.
	 */
	Mono<Offer> keptOffer(long offerId) {
		return this.offers.get(offerId, this.repository::offer).switchIfEmpty(Mono.error(() -> offerNotFound(offerId)));
	}

	/**
	 * Under the member's checkout lock, the offer's current terms, locked until the
	 * transaction ends so that an edit or a withdrawal waits for the hold, or the hold
	 * for them. An exchange takes the row for update, as taking its stock will.
	 */
	Mono<Offer> offerForHold(MemberId member, long offerId, boolean exchange) {
		return this.repository.lockMemberAndOffer(member.value(), offerId, exchange)
			.switchIfEmpty(Mono.error(() -> offerNotFound(offerId)));
	}

	private static DomainException offerNotFound(long offerId) {
		return new DomainException(Kind.NOT_FOUND, "offer-not-found", "There is no offer " + offerId + ".",
				Map.of("offerId", offerId));
	}

	public Mono<Set<String>> forbiddenGoods(RegionId village) {
		return this.access.requireRead(village)
			.then(this.villages.village(village))
			.then(this.repository.forbidden(village.value()));
	}

	@Transactional
	public Mono<Set<String>> forbidGoods(Caller caller, RegionId village, Set<String> categories) {
		return this.access.requireAdmin(caller, village)
			.then(this.villages.village(village))
			.then(this.repository.forbidden(village.value()))
			.flatMap((before) -> this.forbidden.forgetOnCommit(village.value())
				.then(this.repository.saveForbidden(village.value(), categories))
				.then(this.auditTrail.record(caller.actor(), village.value(), "forbidden-goods.changed",
						"village:" + village.value(), Map.of("categories", before), Map.of("categories", categories))))
			.thenReturn(categories);
	}

	/**
	 * Every active offer that reaches the member's village, each with whether the member
	 * may use it now and, if not, why (in the reader's language).
	 */
	public Mono<List<OfferView>> offersFor(MemberId member, Locale locale) {
		return this.villages.memberHome(member)
			.flatMap((home) -> this.villages.place(home.householdId())
				.flatMap((place) -> this.access.caller()
					.flatMap((caller) -> ownOrOverseen(caller, home))
					.then(this.repository.offersServing(place.ancestry().stream().map(RegionId::value).toList())
						.concatMap((offer) -> context(offer, home, place).flatMap((context) -> facts(context, true)
							.map((facts) -> view(context, Eligibility.refusals(offer, facts), locale))))
						.collectList())));
	}

	/**
	 * The member themselves, or an admin or supervisor of their village (who may act for
	 * elderly villagers).
	 */
	Mono<Caller> ownOrOverseen(Caller caller, MemberHome home) {
		if (caller.memberId() != null && caller.memberId() == home.memberId().value()) {
			return Mono.just(caller);
		}
		return this.access.oversees(caller, home.villageId())
			.flatMap((oversees) -> oversees ? Mono.just(caller) : Mono.error(new DomainException(Kind.FORBIDDEN,
					"forbidden", "Only the member or their village's officials see the member's offers.")));
	}

	/**
	 * What is read once for an offer and a member, outside any transaction: the merchant,
	 * the household's place, the kind the offer is paid in, the village's forbidden goods
	 * and the household's live stars (from the board in Redis).
	 */
	record Context(Offer offer, Merchant merchant, MemberHome home, HouseholdPlace place, PointKind kind,
			Set<String> forbidden, int stars) {

		Context withOffer(Offer current) {
			return new Context(current, this.merchant, this.home, this.place, this.kind, this.forbidden, this.stars);
		}

	}

	Mono<Context> context(Offer offer, MemberHome home, HouseholdPlace place) {
		return Mono
			.zip(merchant(offer.merchantId()), this.kinds.kindOrDefault(place.village(), offer.kind()),
					this.forbidden.get(place.village().value(), this.repository::forbidden))
			.flatMap((found) -> this.boards.starsOf(home.householdId(), home.memberId(), found.getT2())
				.map((stars) -> new Context(offer, found.getT1(), home, place, found.getT2(), found.getT3(), stars)));
	}

	/**
	 * What the rules weigh now: the context, uses in the period and, when
	 * {@code withBalance} (or the offer asks for a score), the payer's score and
	 * available points: the household's, or the member's for a member-owned kind.
	 * Without, available is left to the ledger, which refuses an overdraft with the same
	 * {@code insufficient-points}.
	 */
	Mono<Eligibility.Facts> facts(Context context, boolean withBalance) {
		Offer offer = context.offer();
		Instant since = usesCountedSince(context);
		return facts(context, withBalance, (since != null)
				? this.repository.usesSince(context.home().memberId().value(), offer.id(), since) : Mono.just(0L));
	}

	/**
	 * Since when the member's uses of the offer count: none for an offer without a limit.
	 */
	@Nullable Instant usesCountedSince(Context context) {
		Offer.UsePeriod period = context.offer().usePeriod();
		ZoneId zone = context.place().timeZone();
		return (period != null) ? periodStart(period, LocalDate.now(this.clock.withZone(zone)), zone) : null;
	}

	/** As {@link #facts(Context, boolean)}, with the member's uses counted elsewhere. */
	Mono<Eligibility.Facts> facts(Context context, boolean withBalance, Mono<Long> used) {
		Offer offer = context.offer();
		ZoneId zone = context.place().timeZone();
		LocalDate today = LocalDate.now(this.clock.withZone(zone));
		PointKind kind = context.kind();
		boolean served = context.place()
			.ancestry()
			.stream()
			.anyMatch((region) -> context.merchant().servedRegionIds().contains(region.value()));
		Flux<Balance> balances = (kind.owner() == PointKind.Owner.MEMBER)
				? this.ledger.balances(context.home().memberId(), zone)
				: this.ledger.balances(context.home().householdId(), zone);
		Mono<Balance> balance = (withBalance || offer.minScore() != null)
				? balances.filter((candidate) -> candidate.kindCode().equals(kind.code()))
					.next()
					.defaultIfEmpty(new Balance(kind.code(), kind.name(), 0, 0, 0, 0, 0))
				: Mono.just(new Balance(kind.code(), kind.name(), 0, Long.MAX_VALUE, 0, 0, 0));
		return Mono.zip(used, balance)
			.map((figures) -> new Eligibility.Facts(served, context.forbidden(), today, kind.spendable(),
					context.stars(), figures.getT2().score(), figures.getT2().available(), figures.getT1()));
	}

	static Instant periodStart(Offer.UsePeriod period, LocalDate today, ZoneId zone) {
		LocalDate start = switch (period) {
			case DAY -> today;
			case WEEK -> today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
			case MONTH -> today.withDayOfMonth(1);
			case YEAR -> today.withDayOfYear(1);
		};
		return start.atStartOfDay(zone).toInstant();
	}

	/**
	 * The offer with its reasons in the reader's language; a member-owned kind's figures
	 * are the member's, which a {@code .member} text says where there is one.
	 */
	private OfferView view(Context context, List<Eligibility.Refusal> refusals, Locale locale) {
		boolean member = context.kind().owner() == PointKind.Owner.MEMBER;
		List<Reason> reasons = refusals.stream().map((refusal) -> {
			String key = "merchants.reason." + refusal.code();
			Object[] figures = refusal.figures().values().toArray();
			String text = member ? this.messages.getMessage(key + ".member", figures, null, locale) : null;
			return new Reason(refusal.code(), refusal.figures(),
					(text != null) ? text : this.messages.getMessage(key, figures, refusal.code(), locale));
		}).toList();
		return new OfferView(context.offer(), context.merchant().name(), reasons.isEmpty(), reasons);
	}

	private static Offer valid(Offer draft) {
		boolean shaped = switch (draft.type()) {
			case PERCENT_OFF -> draft.percentOff() != null && draft.amountOffFen() == null && draft.stock() == null;
			case AMOUNT_OFF -> draft.amountOffFen() != null && draft.percentOff() == null && draft.stock() == null;
			case ITEM_EXCHANGE -> draft.stock() != null && draft.itemValueFen() != null && draft.percentOff() == null
					&& draft.amountOffFen() == null;
		};
		if (!shaped) {
			throw new DomainException(Kind.MALFORMED, "offer-shape-invalid",
					"PERCENT_OFF takes percentOff (and capFen), AMOUNT_OFF amountOffFen, ITEM_EXCHANGE stock and "
							+ "itemValueFen.",
					Map.of("offerType", draft.type().name()));
		}
		if ((draft.usesPerPeriod() == null) != (draft.usePeriod() == null)) {
			throw new DomainException(Kind.MALFORMED, "offer-shape-invalid", "usesPerPeriod and usePeriod go together.",
					Map.of("offerType", draft.type().name()));
		}
		if (draft.validFrom() != null && draft.validUntil() != null && draft.validUntil().isBefore(draft.validFrom())) {
			throw new DomainException(Kind.MALFORMED, "offer-shape-invalid", "validUntil is before validFrom.",
					Map.of("offerType", draft.type().name()));
		}
		return draft;
	}

	/** A reason an offer cannot be used now, with its figures and a sentence. */
	public record Reason(String code, Map<String, Object> figures, String text) {

		public Reason {
			figures = new LinkedHashMap<>(figures);
		}

	}

	/** An offer as a villager sees it. */
	public record OfferView(Offer offer, String merchantName, boolean eligible, List<Reason> reasons) {

		public OfferView {
			reasons = List.copyOf(reasons);
		}

	}

}
