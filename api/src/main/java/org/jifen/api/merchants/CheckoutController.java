package org.jifen.api.merchants;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.jifen.api.identity.Access;
import org.jifen.api.merchants.MerchantCheckout.IssuedCode;
import org.jifen.api.merchants.Merchants.OfferView;
import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.jifen.api.village.MemberId;
import org.jifen.api.web.CursorPage;
import org.jifen.api.web.PageRequest;
import org.jifen.api.web.Locales;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

/**
 * Checkout: offers a villager may use, one-time codes, and the till's side of redemption.
 */
@RestController
@Tag(name = "Checkout", description = "One-time codes and redemption at the merchant's till")
class CheckoutController {

	private final MerchantCheckout checkout;

	private final Merchants merchants;

	private final Access access;

	CheckoutController(MerchantCheckout checkout, Merchants merchants, Access access) {
		this.checkout = checkout;
		this.merchants = merchants;
		this.access = access;
	}

	@GetMapping(path = "/api/v1/members/{memberId}/offers", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Offers reaching the member's village, each with eligibility and the reasons why not",
			description = "Reasons: needs-stars, needs-score, insufficient-points, uses-exhausted, out-of-stock, "
					+ "forbidden-goods, not-yet-valid, no-longer-valid, kind-not-spendable; texts in the "
					+ "Accept-Language (zh-CN by default, en).")
	Mono<List<OfferView>> offers(@PathVariable long memberId, ServerWebExchange exchange) {
		return this.merchants.offersFor(new MemberId(memberId), Locales.of(exchange));
	}

	@PostMapping(path = "/api/v1/members/{memberId}/offers/{offerId}/codes",
			produces = MediaType.APPLICATION_JSON_VALUE)
	@ResponseStatus(HttpStatus.CREATED)
	@Operation(summary = "A one-time code for an offer: QR token and 6-digit fallback, valid about 2 minutes",
			description = "For the member, or an admin of their village on their behalf (代办). Refused with the "
					+ "first reason as problem type when the member may not use the offer.")
	Mono<IssuedCode> issue(@PathVariable long memberId, @PathVariable long offerId) {
		return this.access.caller().flatMap((caller) -> this.checkout.issue(caller, new MemberId(memberId), offerId));
	}

	@PostMapping(path = "/api/v1/merchants/{merchantId}/redemptions", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@ResponseStatus(HttpStatus.CREATED)
	@Operation(summary = "The till scans (code) or types (fallbackCode) a code with the bill: points are held",
			description = "Answers the discount and what the customer pays (fen); confirm within the hold time or "
					+ "it is voided. Problems: code-invalid, code-expired, code-used, code-attempts-exceeded (429), "
					+ "offer-not-here, offer-changed (409: edited while scanned; scan again), eligibility reasons, "
					+ "insufficient-points, out-of-stock.")
	Mono<Redemption> redeem(@PathVariable long merchantId, @Valid @RequestBody Mono<RedeemRequest> body) {
		return this.access.requireMerchantStaff(merchantId)
			.flatMap((caller) -> body.flatMap((request) -> this.checkout.redeem(caller, merchantId, request.code(),
					request.fallbackCode(), request.billFen())));
	}

	@PostMapping(path = "/api/v1/merchants/{merchantId}/redemptions/{redemptionId}/confirm",
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The till confirms: the held points are spent (hold-expired when it ran out)")
	Mono<Redemption> confirm(@PathVariable long merchantId, @PathVariable long redemptionId) {
		return this.access.requireMerchantStaff(merchantId)
			.flatMap((caller) -> this.checkout.confirm(caller, merchantId, redemptionId));
	}

	@PostMapping(path = "/api/v1/merchants/{merchantId}/redemptions/{redemptionId}/cancel",
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The till gives up on a held redemption: points and stock go back")
	Mono<Redemption> cancel(@PathVariable long merchantId, @PathVariable long redemptionId) {
		return this.access.requireMerchantStaff(merchantId)
			.flatMap((caller) -> this.checkout.cancel(caller, merchantId, redemptionId));
	}

	@PostMapping(path = "/api/v1/merchants/{merchantId}/redemptions/{redemptionId}/reversal",
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Reverse a confirmed redemption within the window: points and stock go back")
	Mono<Redemption> reverse(@PathVariable long merchantId, @PathVariable long redemptionId) {
		return this.access.requireMerchantStaff(merchantId)
			.flatMap((caller) -> this.checkout.reverse(caller, merchantId, redemptionId));
	}

	@GetMapping(path = "/api/v1/merchants/{merchantId}/redemptions", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The merchant's redemptions, newest first (its staff, and those who oversee its region)",
			description = "status: held, confirmed, voided or reversed (all when left out); cursor paging. A till "
					+ "that crashed finds its open holds with status=held.")
	Mono<CursorPage<Redemption>> redemptions(@PathVariable long merchantId,
			@RequestParam(required = false) @Nullable String status,
			@RequestParam(required = false) @Nullable String cursor,
			@RequestParam(required = false) @Nullable Integer limit) {
		return Mono.fromCallable(() -> PageRequest.of(cursor, limit))
			.flatMap((page) -> this.checkout.redemptions(merchantId, status(status), page));
	}

	@GetMapping(path = "/api/v1/merchants/{merchantId}/redemptions/{redemptionId}",
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "One redemption of the merchant")
	Mono<Redemption> redemption(@PathVariable long merchantId, @PathVariable long redemptionId) {
		return this.access.requireMerchantStaff(merchantId)
			.flatMap((caller) -> this.checkout.redemption(caller, merchantId, redemptionId));
	}

	/** A status as the till names it; confirmed is CAPTURED. */
	private static Redemption.@Nullable Status status(@Nullable String status) {
		if (status == null || status.isBlank()) {
			return null;
		}
		return switch (status.strip().toLowerCase(Locale.ROOT)) {
			case "held" -> Redemption.Status.HELD;
			case "confirmed", "captured" -> Redemption.Status.CAPTURED;
			case "voided" -> Redemption.Status.VOIDED;
			case "reversed" -> Redemption.Status.REVERSED;
			default -> throw new DomainException(Kind.MALFORMED, "invalid-redemption-status",
					"status is held, confirmed, voided or reversed.", Map.of("redemptionStatus", status));
		};
	}

	record RedeemRequest(@Size(max = 200) @Nullable String code, @Size(max = 12) @Nullable String fallbackCode,
			@PositiveOrZero @Max(100_000_000) @Nullable Long billFen) {
	}

}
