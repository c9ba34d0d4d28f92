package org.jifen.api.merchants;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.identity.Access;
import org.jifen.api.identity.Caller;
import org.jifen.api.ledger.AccountRef;
import org.jifen.api.ledger.Ledger;
import org.jifen.api.ledger.Posting;
import org.jifen.api.outbox.Outbox;
import org.jifen.api.privacy.Randoms;
import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.jifen.api.village.HouseholdId;
import org.jifen.api.village.MemberHome;
import org.jifen.api.village.MemberId;
import org.jifen.api.village.RegionId;
import org.jifen.api.village.Villages;
import org.jifen.api.web.CursorPage;
import org.jifen.api.web.PageRequest;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * Checkout at a merchant, in two phases so a crashed till never loses or charges points.
 * The phone asks for a one-time code (signed token plus 6-digit fallback). The till sends
 * it with the bill: the code's signature, expiry and single use are checked, then that
 * this merchant honours the offer in the member's village, eligibility, uses in the
 * period and stock, and the points move into merchant settlement (HOLD). The till
 * confirms (CAPTURE: settlement → sink) or the hold runs out and is voided (RELEASE:
 * settlement → household, stock back). A confirmed redemption may be reversed within a
 * window (REFUND).
 */
@Service
public class MerchantCheckout {

	private static final Logger log = LoggerFactory.getLogger(MerchantCheckout.class);

	private static final int VOID_BATCH = 100;

	private final MerchantRepository repository;

	private final Merchants merchants;

	private final FallbackCodes fallbacks;

	private final Villages villages;

	private final Access access;

	private final Ledger ledger;

	private final Outbox outbox;

	private final TransactionalOperator transactions;

	private final MerchantProperties properties;

	private final Clock clock;

	private final CodeSigner signer;

	private final SecureRandom random = Randoms.nonBlocking();

	MerchantCheckout(MerchantRepository repository, Merchants merchants, FallbackCodes fallbacks, Villages villages,
			Access access, Ledger ledger, Outbox outbox, TransactionalOperator transactions,
			MerchantProperties properties, Clock clock) {
		this.repository = repository;
		this.merchants = merchants;
		this.fallbacks = fallbacks;
		this.villages = villages;
		this.access = access;
		this.ledger = ledger;
		this.outbox = outbox;
		this.transactions = transactions;
		this.properties = properties;
		this.clock = clock;
		if (properties.codeKey() != null && !properties.codeKey().isBlank()) {
			this.signer = new CodeSigner(Base64.getDecoder().decode(properties.codeKey().strip()));
		}
		else {
			log.warn("jifen.merchants.code-key is not set: codes are signed with a key made at start, "
					+ "which other instances do not share and a restart forgets");
			this.signer = CodeSigner.generated(this.random);
		}
	}

	/**
	 * A one-time code for an offer, for the member themselves or by an admin of their
	 * village on their behalf (代办). Refused with every reason when the member may not use
	 * the offer now.
	 */
	public Mono<IssuedCode> issue(Caller caller, MemberId member, long offerId) {
		return this.villages.memberHome(member)
			.flatMap((home) -> ((caller.memberId() != null && caller.memberId() == member.value())
					? Mono.just(caller.actor()) : this.access.actor(caller, member.value()))
				.then(this.merchants.offer(offerId))
				.flatMap((offer) -> this.villages.place(home.householdId())
					.flatMap((place) -> this.merchants.context(offer, home, place))
					.flatMap((context) -> this.merchants.facts(context, true))
					.flatMap((facts) -> {
						List<Eligibility.Refusal> refusals = Eligibility.refusals(offer, facts);
						if (!refusals.isEmpty()) {
							return Mono.error(refused(refusals));
						}
						byte[] nonce = new byte[RedemptionCode.NONCE_BYTES];
						this.random.nextBytes(nonce);
						Instant expiresAt = this.clock.instant().plus(this.properties.codeValidity());
						String token = this.signer.sign(new RedemptionCode(offer.id(), member.value(),
								home.householdId().value(), home.villageId().value(), expiresAt, nonce));
						return this.fallbacks.issue(offer.merchantId(), token)
							.map((digits) -> new IssuedCode(token, digits, expiresAt, offer.id(), offer.merchantId(),
									offer.title()));
					})));
	}

	/**
	 * The till's scan (or typed fallback) and bill: checks everything and holds the
	 * points; answers with the discount and what the customer pays.
	 */
	public Mono<Redemption> redeem(Caller caller, long merchantId, @Nullable String token,
			@Nullable String fallbackDigits, @Nullable Long billFen) {
		if (!this.access.isMerchantStaff(caller, merchantId)) {
			return Mono.error(new DomainException(Kind.FORBIDDEN, "forbidden", "Only the merchant's staff redeem."));
		}
		if ((token == null) == (fallbackDigits == null)) {
			return Mono.error(new DomainException(Kind.MALFORMED, "code-required",
					"Send the scanned code or the 6 typed digits, one of them."));
		}
		if (fallbackDigits != null && !fallbackDigits.matches("\\d{6}")) {
			return Mono.error(CodeSigner.invalid());
		}
		return this.merchants.merchant(merchantId).flatMap((merchant) -> {
			Mono<String> resolved = (token != null) ? Mono.just(token)
					: this.fallbacks.resolve(caller, merchant, fallbackDigits);
			return resolved.map((found) -> this.signer.read(found, this.clock.instant()))
				.flatMap((code) -> hold(caller, merchant, code, (token != null) ? "TOKEN" : "FALLBACK", billFen))
				.flatMap((held) -> (fallbackDigits != null)
						? this.fallbacks.forget(merchantId, fallbackDigits).thenReturn(held) : Mono.just(held));
		});
	}

	private Mono<Redemption> hold(Caller caller, Merchant merchant, RedemptionCode code, String via,
			@Nullable Long billFen) {
		return this.merchants.keptOffer(code.offerId()).flatMap((offer) -> {
			if (offer.merchantId() != merchant.id()) {
				return Mono.error(new DomainException(Kind.REFUSED, "offer-not-here",
						"This code is for an offer of another merchant.", Map.of("offerId", offer.id())));
			}
			if (offer.type() != Offer.Type.ITEM_EXCHANGE && billFen == null) {
				return Mono.error(new DomainException(Kind.MALFORMED, "bill-required",
						"Send the bill in fen (billFen) to apply a discount."));
			}
			return this.villages.memberHome(new MemberId(code.memberId()))
				.filter((home) -> home.householdId().value() == code.householdId()
						&& home.villageId().value() == code.villageId())
				// The member moved households since the code was made.
				.switchIfEmpty(Mono.error(CodeSigner::invalid))
				.flatMap((home) -> this.villages.place(home.householdId())
					.flatMap((place) -> this.merchants.context(offer, home, place))
					.flatMap((context) -> holdInTransaction(caller, context, code, via, billFen)));
		});
	}

	/**
	 * Under the member's lock: the offer's current terms (locked against an edit or a
	 * withdrawal), single use, eligibility now, stock, the redemption row and the HOLD
	 * posting, all or nothing.
	 */
	private Mono<Redemption> holdInTransaction(Caller caller, Merchants.Context scanned, RedemptionCode code,
			String via, @Nullable Long billFen) {
		MemberHome home = scanned.home();
		boolean exchange = scanned.offer().type() == Offer.Type.ITEM_EXCHANGE;
		Mono<Redemption> work = this.merchants.offerForHold(home.memberId(), scanned.offer().id(), exchange)
			.flatMap((offer) -> Objects.equals(offer.kind(), scanned.offer().kind())
					? Mono.just(scanned.withOffer(offer))
					: Mono.error(new DomainException(Kind.CONFLICT, "offer-changed",
							"The offer changed while the code was scanned; scan it again.",
							Map.of("offerId", offer.id()))))
			.flatMap((context) -> this.repository
				.nonceUsedAndUses(code.nonce(), home.memberId().value(), context.offer().id(),
						this.merchants.usesCountedSince(context))
				.flatMap((found) -> found.nonceUsed() ? Mono.error(used())
						: this.merchants.facts(context, false, Mono.just(found.uses())))
				.flatMap((facts) -> {
					List<Eligibility.Refusal> refusals = Eligibility.refusals(context.offer(), facts);
					if (!refusals.isEmpty()) {
						return Mono.error(refused(refusals));
					}
					return exchange ? this.repository.takeStock(context.offer().id())
						.flatMap((taken) -> taken ? Mono.<Void>empty() : Mono.error(outOfStock(context.offer())))
							: Mono.<Void>empty();
				})
				// An exchange without a bill is worth the item's value as it is now.
				.then(Mono.defer(() -> record(caller, context, code, via,
						(billFen != null) ? billFen : context.offer().itemValueFen()))));
		return this.transactions.transactional(work);
	}

	private Mono<Redemption> record(Caller caller, Merchants.Context context, RedemptionCode code, String via,
			long bill) {
		Offer offer = context.offer();
		MemberHome home = context.home();
		Instant now = this.clock.instant();
		long discount = offer.discountOn(bill);
		Redemption held = new Redemption(0, context.merchant().id(), offer.id(), home.villageId().value(),
				home.householdId().value(), home.memberId().value(), context.kind().id(), context.kind().owner(), via,
				offer.pointsCost(), bill, discount, Math.max(0, bill - discount), offer.villageSubsidised(),
				Redemption.Status.HELD, caller.userId(), now, now.plus(this.properties.holdTimeout()), null, null,
				null);
		return this.repository.insertRedemption(held, code.nonce())
			.switchIfEmpty(Mono.error(MerchantCheckout::used))
			.flatMap((id) -> ((offer.pointsCost() > 0)
					? this.ledger
						.postFirst(Posting.hold(home.villageId(), context.kind().id(), payer(held), offer.pointsCost(),
								memo("积分兑换冻结", context.merchant(), offer), "redemption-" + id + "-hold"))
						.then()
					: Mono.<Void>empty())
				.thenReturn(withId(held, id)));
	}

	private static Redemption withId(Redemption held, long id) {
		return new Redemption(id, held.merchantId(), held.offerId(), held.villageId(), held.householdId(),
				held.memberId(), held.kindId(), held.paidBy(), held.via(), held.points(), held.billFen(),
				held.discountFen(), held.payableFen(), held.villageSubsidised(), held.status(), held.staffUserId(),
				held.heldAt(), held.holdExpiresAt(), null, null, null);
	}

	/** The till confirms: the hold is captured. Confirming again answers the same. */
	public Mono<Redemption> confirm(Caller caller, long merchantId, long redemptionId) {
		Instant now = this.clock.instant();
		Mono<Redemption> work = staff(caller, merchantId).then(this.repository.capture(redemptionId, merchantId, now))
			.flatMap((captured) -> this.merchants.merchant(merchantId)
				.zipWith(this.merchants.offer(captured.offerId()))
				.flatMap((found) -> ((captured.points() > 0) ? this.ledger
					.post(Posting.capture(new RegionId(captured.villageId()), captured.kindId(), captured.points(),
							memo("积分兑换", found.getT1(), found.getT2()), "redemption-" + captured.id() + "-capture"))
					.then() : Mono.<Void>empty())
					.then(receipt("redemption.confirmed", captured, found.getT1(), found.getT2())))
				.thenReturn(captured))
			.switchIfEmpty(
					Mono.defer(() -> existing(merchantId, redemptionId).flatMap((found) -> switch (found.status()) {
						case CAPTURED -> Mono.just(found);
						case HELD, VOIDED -> Mono.error(new DomainException(Kind.CONFLICT, "hold-expired",
								"The hold ran out before it was confirmed; the points went back. Scan a new code.",
								Map.of("holdExpiredAt", found.holdExpiresAt().toString())));
						case REVERSED -> Mono.error(new DomainException(Kind.CONFLICT, "redemption-reversed",
								"This redemption was reversed.", Map.of("redemptionId", redemptionId)));
					})));
		return this.transactions.transactional(work);
	}

	/** The till gives up on a hold: points (and the item) go back now. */
	public Mono<Redemption> cancel(Caller caller, long merchantId, long redemptionId) {
		Mono<Redemption> work = staff(caller, merchantId)
			.then(this.repository.voidHeld(redemptionId, merchantId, this.clock.instant()))
			.flatMap(this::release)
			.switchIfEmpty(Mono.defer(() -> existing(merchantId, redemptionId)
				.flatMap((found) -> (found.status() == Redemption.Status.VOIDED) ? Mono.just(found)
						: Mono.error(new DomainException(Kind.CONFLICT, "redemption-not-held",
								"Only a held redemption can be cancelled; reverse a confirmed one.",
								Map.of("redemptionStatus", found.status().name()))))));
		return this.transactions.transactional(work);
	}

	/**
	 * Voids holds that ran out before {@code now}, returning points and stock; safe in
	 * every instance at once (rows are claimed with SKIP LOCKED). Emits how many.
	 */
	public Mono<Long> voidExpired(Instant now) {
		// Every item back to its offer first, then the points to their villages' chains,
		// each in id order: the order a hold takes them in (offer, then chain), so a void
		// and a hold never wait for each other in a cycle.
		return this.transactions.transactional(this.repository.voidDue(now, VOID_BATCH)
			.collectList()
			.flatMap((voided) -> Flux.fromIterable(voided)
				.sort(Comparator.comparingLong(Redemption::offerId))
				.concatMap((redemption) -> this.repository.returnStock(redemption.offerId()))
				.thenMany(Flux.fromIterable(voided)
					.sort(Comparator.comparingLong(Redemption::villageId))
					.concatMap(this::releasePoints))
				.then(Mono.just((long) voided.size()))));
	}

	/**
	 * The merchant reverses a confirmed redemption within the window: points and stock
	 * back.
	 */
	public Mono<Redemption> reverse(Caller caller, long merchantId, long redemptionId) {
		Instant now = this.clock.instant();
		Mono<Redemption> work = staff(caller, merchantId)
			.then(this.repository.reverse(redemptionId, merchantId, now, now.minus(this.properties.reversalWindow())))
			.flatMap((reversed) -> this.merchants.merchant(merchantId)
				.zipWith(this.merchants.offer(reversed.offerId()))
				// The item back before the points, in the order a hold takes offer and
				// chain.
				.flatMap((found) -> this.repository.returnStock(reversed.offerId())
					.then((reversed.points() > 0)
							? this.ledger.post(Posting.refund(new RegionId(reversed.villageId()), reversed.kindId(),
									payer(reversed), reversed.points(), memo("积分兑换撤销", found.getT1(), found.getT2()),
									"redemption-" + reversed.id() + "-refund"))
								.then()
							: Mono.<Void>empty())
					.then(receipt("redemption.reversed", reversed, found.getT1(), found.getT2())))
				.thenReturn(reversed))
			.switchIfEmpty(Mono.defer(() -> existing(merchantId, redemptionId)
				.flatMap((found) -> Mono.error((found.status() == Redemption.Status.CAPTURED)
						? new DomainException(Kind.CONFLICT, "reversal-window-passed",
								"Redemptions are reversed within " + this.properties.reversalWindow().toHours()
										+ " hours of confirming.",
								Map.of("capturedAt", String.valueOf(found.capturedAt()), "windowHours",
										this.properties.reversalWindow().toHours()))
						: new DomainException(Kind.CONFLICT, "redemption-not-captured",
								"Only a confirmed redemption can be reversed.",
								Map.of("redemptionStatus", found.status().name()))))));
		return this.transactions.transactional(work);
	}

	/**
	 * The merchant's redemptions, newest first, all or of one status, for its staff and
	 * those who oversee its home region: a till that crashed finds the hold it lost.
	 */
	public Mono<CursorPage<Redemption>> redemptions(long merchantId, Redemption.@Nullable Status status,
			PageRequest page) {
		long before = (page.afterId() == 0) ? Long.MAX_VALUE : page.afterId();
		return this.merchants.staffOrOverseer(merchantId)
			.thenMany(this.repository.redemptionsOf(merchantId, status, before, page.fetchSize()))
			.collectList()
			.map((rows) -> CursorPage.of(rows, page, Redemption::id));
	}

	public Mono<Redemption> redemption(Caller caller, long merchantId, long redemptionId) {
		return staff(caller, merchantId).then(existing(merchantId, redemptionId));
	}

	/** The item back to its offer, then the points to the payer (offer, then chain). */
	private Mono<Redemption> release(Redemption voided) {
		return this.repository.returnStock(voided.offerId()).then(releasePoints(voided)).thenReturn(voided);
	}

	private Mono<Void> releasePoints(Redemption voided) {
		return (voided.points() > 0) ? this.ledger
			.post(Posting.release(new RegionId(voided.villageId()), voided.kindId(), payer(voided), voided.points(),
					"积分兑换未确认，退回", "redemption-" + voided.id() + "-release"))
			.then() : Mono.empty();
	}

	/**
	 * Receipts to the villager's household and to the merchant's staff (type
	 * {@code <type>.staff}), through the outbox, in the transaction of the change.
	 */
	private Mono<Void> receipt(String type, Redemption redemption, Merchant merchant, Offer offer) {
		List<Object> arguments = new ArrayList<>(
				List.of(merchant.name(), offer.title(), redemption.points(), yuan(redemption.discountFen())));
		Map<String, Object> payload = new LinkedHashMap<>();
		payload.put("redemptionId", redemption.id());
		payload.put("householdId", redemption.householdId());
		payload.put("merchantId", merchant.id());
		payload.put("arguments", arguments);
		Map<String, Object> toStaff = new LinkedHashMap<>();
		toStaff.put("redemptionId", redemption.id());
		toStaff.put("staffOfMerchant", merchant.id());
		toStaff.put("arguments", List.of(offer.title(), redemption.points(), yuan(redemption.discountFen()),
				yuan(redemption.payableFen())));
		RegionId village = new RegionId(redemption.villageId());
		return this.outbox.append(type, village, payload)
			.then(this.outbox.append(type + ".staff", village, toStaff))
			.then();
	}

	private Mono<Caller> staff(Caller caller, long merchantId) {
		return this.access.isMerchantStaff(caller, merchantId) ? Mono.just(caller)
				: Mono.error(new DomainException(Kind.FORBIDDEN, "forbidden", "Only the merchant's staff do this."));
	}

	private Mono<Redemption> existing(long merchantId, long redemptionId) {
		return this.repository.redemption(redemptionId)
			.filter((found) -> found.merchantId() == merchantId)
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.NOT_FOUND, "redemption-not-found",
					"Merchant " + merchantId + " has no redemption " + redemptionId + ".",
					Map.of("redemptionId", redemptionId))));
	}

	/** The account the points came from: the household's, or the member's. */
	private static AccountRef payer(Redemption redemption) {
		return switch (redemption.paidBy()) {
			case HOUSEHOLD -> AccountRef.household(new HouseholdId(redemption.householdId()));
			case MEMBER -> new AccountRef.Member(new MemberId(redemption.memberId()));
		};
	}

	private static String memo(String what, Merchant merchant, Offer offer) {
		return what + "：" + merchant.name() + " · " + offer.title();
	}

	/** Fen as yuan with two decimals, without floating point. */
	static String yuan(long fen) {
		return (fen / 100) + "." + String.format("%02d", fen % 100);
	}

	private static DomainException used() {
		return new DomainException(Kind.CONFLICT, "code-used", "This code was already used; ask for a new one.");
	}

	private static DomainException outOfStock(Offer offer) {
		return new DomainException(Kind.CONFLICT, "out-of-stock", offer.title() + " is out of stock.",
				Map.of("offerId", offer.id()));
	}

	/**
	 * The first reason as the problem (its code is the problem type, its figures the
	 * extensions), with every reason's code listed.
	 */
	private static DomainException refused(List<Eligibility.Refusal> refusals) {
		Eligibility.Refusal first = refusals.get(0);
		if (first.code().equals("out-of-stock")) {
			return new DomainException(Kind.CONFLICT, "out-of-stock", "The item is out of stock.", Map.of());
		}
		Map<String, Object> figures = new LinkedHashMap<>(first.figures());
		figures.put("reasons", refusals.stream().map(Eligibility.Refusal::code).toList());
		return new DomainException(Kind.REFUSED, first.code(), "The member may not use this offer now: "
				+ String.join(", ", refusals.stream().map(Eligibility.Refusal::code).toList()) + ".", figures);
	}

	/** What the phone shows: the QR token, the digits to type, and until when. */
	public record IssuedCode(String code, String fallbackCode, Instant expiresAt, long offerId, long merchantId,
			String offerTitle) {
	}

}
