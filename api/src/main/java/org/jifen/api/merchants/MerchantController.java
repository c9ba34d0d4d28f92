package org.jifen.api.merchants;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.jifen.api.identity.Access;
import org.jifen.api.merchants.MerchantStatements.Statement;
import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.jifen.api.village.RegionId;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** 德益联盟: enrolling merchants and staff, their offers, forbidden goods, statements. */
@RestController
@Tag(name = "Merchants", description = "The merchant alliance: merchants, offers, statements")
class MerchantController {

	static final MediaType CSV = MediaType.parseMediaType("text/csv;charset=UTF-8");

	private final Merchants merchants;

	private final MerchantStatements statements;

	private final Access access;

	MerchantController(Merchants merchants, MerchantStatements statements, Access access) {
		this.merchants = merchants;
		this.statements = statements;
		this.access = access;
	}

	@PostMapping(path = "/api/v1/towns/{townId}/merchants", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@ResponseStatus(HttpStatus.CREATED)
	@Operation(summary = "Enrol a merchant at a town or county (its admins)",
			description = "servedRegionIds: villages, towns or the county it serves; the caller must administer each.")
	Mono<Merchant> enrol(@PathVariable long townId, @Valid @RequestBody Mono<MerchantRequest> body) {
		RegionId town = new RegionId(townId);
		return this.access.requireAdmin(town)
			.flatMap((caller) -> body.flatMap((request) -> this.merchants.enrol(caller, town, request.name().strip(),
					request.servedRegionIds())));
	}

	@GetMapping(path = "/api/v1/towns/{townId}/merchants", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Merchants enrolled in a town (or county and its towns)")
	Mono<List<Merchant>> merchants(@PathVariable long townId) {
		return this.merchants.merchantsOf(new RegionId(townId)).collectList();
	}

	@PostMapping(path = "/api/v1/merchants/{merchantId}/staff", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@ResponseStatus(HttpStatus.CREATED)
	@Operation(summary = "Create a staff account of the merchant (admins of its home region)")
	Mono<Map<String, Long>> addStaff(@PathVariable long merchantId, @Valid @RequestBody Mono<StaffRequest> body) {
		return this.merchants.adminOf(merchantId)
			.flatMap((caller) -> body.flatMap((request) -> this.merchants.addStaff(caller, merchantId,
					request.username(), request.displayName(), request.password())))
			.map((userId) -> Map.of("userId", userId));
	}

	@PostMapping(path = "/api/v1/merchants/{merchantId}/offers", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@ResponseStatus(HttpStatus.CREATED)
	@Operation(summary = "Define an offer of the merchant (admins of its home region)",
			description = "PERCENT_OFF with percentOff (whole percent) and optional capFen; AMOUNT_OFF with "
					+ "amountOffFen; ITEM_EXCHANGE with stock and itemValueFen. Money in fen.")
	Mono<Offer> createOffer(@PathVariable long merchantId, @Valid @RequestBody Mono<OfferRequest> body) {
		return this.merchants.adminOf(merchantId)
			.flatMap((caller) -> body
				.flatMap((request) -> this.merchants.createOffer(caller, merchantId, request.toOffer(merchantId))));
	}

	@PutMapping(path = "/api/v1/merchants/{merchantId}/offers/{offerId}", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Change an offer's terms (admins of the merchant's home region)",
			description = "The same body as defining it. The type cannot change (offer-type-unchangeable) and stock "
					+ "is left out: it changes by restocking. Holds already made keep their terms.")
	Mono<Offer> editOffer(@PathVariable long merchantId, @PathVariable long offerId,
			@Valid @RequestBody Mono<OfferRequest> body) {
		return this.merchants.adminOf(merchantId)
			.flatMap((caller) -> body.flatMap(
					(request) -> this.merchants.editOffer(caller, merchantId, offerId, request.toOffer(merchantId))));
	}

	@PostMapping(path = "/api/v1/merchants/{merchantId}/offers/{offerId}/withdrawal",
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Withdraw an offer (admins of the merchant's home region)",
			description = "Villagers no longer see it and no code for it is issued or redeemed; holds already made "
					+ "may still be confirmed or cancelled. Withdrawing again answers the same.")
	Mono<Offer> withdrawOffer(@PathVariable long merchantId, @PathVariable long offerId) {
		return this.merchants.adminOf(merchantId)
			.flatMap((caller) -> this.merchants.withdrawOffer(caller, merchantId, offerId));
	}

	@PostMapping(path = "/api/v1/merchants/{merchantId}/offers/{offerId}/restock",
			consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Add items to an exchange offer's stock (admins of the merchant's home region)",
			description = "Added atomically, whatever exchanges take items at the same moment. Problems: "
					+ "offer-has-no-stock, stock-limit-exceeded (stock is at most 1,000,000).")
	Mono<Offer> restock(@PathVariable long merchantId, @PathVariable long offerId,
			@Valid @RequestBody Mono<RestockRequest> body) {
		return this.merchants.adminOf(merchantId)
			.flatMap((caller) -> body
				.flatMap((request) -> this.merchants.restock(caller, merchantId, offerId, request.quantity())));
	}

	@GetMapping(path = "/api/v1/merchants/{merchantId}/offers", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The merchant's offers (its staff, and those who oversee its home region)")
	Mono<List<Offer>> offers(@PathVariable long merchantId) {
		return this.merchants.staffOrOverseer(merchantId).then(this.merchants.offersOf(merchantId).collectList());
	}

	@GetMapping(path = "/api/v1/villages/{villageId}/forbidden-goods", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Goods categories the village forbids points to be spent on")
	Mono<Set<String>> forbiddenGoods(@PathVariable long villageId) {
		return this.merchants.forbiddenGoods(new RegionId(villageId));
	}

	@PutMapping(path = "/api/v1/villages/{villageId}/forbidden-goods", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Set the goods categories the village forbids, e.g. tobacco, alcohol (village admins)")
	Mono<Set<String>> forbidGoods(@PathVariable long villageId, @Valid @RequestBody Mono<ForbiddenRequest> body) {
		RegionId village = new RegionId(villageId);
		return this.access.requireAdmin(village)
			.flatMap((caller) -> body.flatMap((request) -> this.merchants.forbidGoods(caller, village,
					new LinkedHashSet<>(request.categories()))));
	}

	@GetMapping(path = "/api/v1/merchants/{merchantId}/statements/{month}",
			produces = { MediaType.APPLICATION_JSON_VALUE, "text/csv" })
	@Operation(summary = "The merchant's monthly statement, as JSON or CSV (Accept: text/csv or ?format=csv)",
			description = "Redemptions confirmed and reversals made in the month, net points, discount given and "
					+ "subsidy owed by village funds, in fen. For its staff and those who oversee its home region.")
	Mono<ResponseEntity<Object>> statement(@PathVariable long merchantId, @PathVariable String month,
			@RequestParam(required = false) @Nullable String format,
			@RequestHeader(name = "Accept", required = false) @Nullable String accept) {
		return this.merchants.staffOrOverseer(merchantId)
			.then(Mono.fromCallable(() -> month(month)))
			.flatMap((yearMonth) -> this.statements.statement(merchantId, yearMonth))
			.map((statement) -> answer(List.of(statement), statement, format, accept));
	}

	@GetMapping(path = "/api/v1/towns/{townId}/merchant-statements/{month}",
			produces = { MediaType.APPLICATION_JSON_VALUE, "text/csv" })
	@Operation(summary = "Every merchant's monthly statement of a town, as JSON or CSV (its admins, supervisors)")
	Mono<ResponseEntity<Object>> townStatements(@PathVariable long townId, @PathVariable String month,
			@RequestParam(required = false) @Nullable String format,
			@RequestHeader(name = "Accept", required = false) @Nullable String accept) {
		RegionId town = new RegionId(townId);
		return this.access.requireOversight(town)
			.then(Mono.fromCallable(() -> month(month)))
			.flatMap((yearMonth) -> this.statements.statementsOf(town, yearMonth))
			.map((all) -> answer(all, all, format, accept));
	}

	private static ResponseEntity<Object> answer(List<Statement> statements, Object json, @Nullable String format,
			@Nullable String accept) {
		boolean csv = "csv".equalsIgnoreCase(format)
				|| (format == null && accept != null && accept.contains("text/csv") && !accept.contains("json"));
		return csv ? ResponseEntity.ok().contentType(CSV).body(MerchantStatements.csv(statements))
				: ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(json);
	}

	private static YearMonth month(String month) {
		try {
			return YearMonth.parse(month);
		}
		catch (DateTimeParseException ex) {
			throw new DomainException(Kind.MALFORMED, "invalid-month", "Name the month as 2026-11.",
					Map.of("month", month));
		}
	}

	record MerchantRequest(@NotBlank @Size(max = 100) String name,
			@NotEmpty @Size(max = 500) List<@NotNull @Positive Long> servedRegionIds) {
	}

	record StaffRequest(@NotBlank @Size(max = 64) @Pattern(regexp = "[A-Za-z0-9._-]+") String username,
			@NotBlank @Size(max = 100) String displayName, @NotBlank @Size(min = 10, max = 200) String password) {
	}

	record RestockRequest(@NotNull @Positive @Max(Offer.MAX_STOCK) Integer quantity) {
	}

	record ForbiddenRequest(@NotNull @Size(max = 50) List<@NotBlank @Size(max = 40) String> categories) {
	}

	record OfferRequest(@NotBlank @Size(max = 100) String title, @NotNull Offer.Type type,
			@Min(1) @Max(100) @Nullable Integer percentOff, @Positive @Nullable Long capFen,
			@Positive @Nullable Long amountOffFen, @PositiveOrZero @Nullable Long itemValueFen,
			@PositiveOrZero @Max(Offer.MAX_STOCK) @Nullable Integer stock,
			@NotNull @PositiveOrZero @Max(1_000_000) Long pointsCost, @Size(max = 32) @Nullable String kind,
			@Min(0) @Max(5) @Nullable Integer minStars, @Nullable Long minScore,
			@Positive @Max(1000) @Nullable Integer usesPerPeriod, Offer.@Nullable UsePeriod usePeriod,
			@Nullable LocalDate validFrom, @Nullable LocalDate validUntil,
			@Size(max = 40) @Nullable String goodsCategory, @Nullable Boolean villageSubsidised) {

		Offer toOffer(long merchantId) {
			return new Offer(0, merchantId, this.title.strip(), this.type, this.percentOff, this.capFen,
					this.amountOffFen, this.itemValueFen, this.stock, this.pointsCost, this.kind,
					(this.minStars != null) ? this.minStars : 0, this.minScore, this.usesPerPeriod, this.usePeriod,
					this.validFrom, this.validUntil, (this.goodsCategory != null && !this.goodsCategory.isBlank())
							? this.goodsCategory.strip() : "general",
					Boolean.TRUE.equals(this.villageSubsidised), true);
		}

	}

}
