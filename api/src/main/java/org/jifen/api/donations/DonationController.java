package org.jifen.api.donations;

import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.jifen.api.donations.Donations.DonationLine;
import org.jifen.api.donations.Donations.NewDonation;
import org.jifen.api.donations.Donations.Signal;
import org.jifen.api.identity.Access;
import org.jifen.api.village.HouseholdId;
import org.jifen.api.village.RegionId;
import org.jifen.api.web.CursorPage;
import org.jifen.api.web.PageRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** 爱心捐赠: giving points, the threads of gifts, the village's policy and its signals. */
@RestController
@Tag(name = "Donations", description = "Points given to neighbours in need")
class DonationController {

	private final Donations donations;

	private final Access access;

	DonationController(Donations donations, Access access) {
		this.donations = donations;
		this.access = access;
	}

	@PostMapping(path = "/api/v1/villages/{villageId}/donations", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@ResponseStatus(HttpStatus.CREATED)
	@Operation(summary = "Give available points to another household (or member) of the village",
			description = "Refused with insufficient-points (with available), donation-cap-reached (with what is "
					+ "left today and this month), recipient-not-eligible, same-household, donation-below-minimum.")
	Mono<Donation> donate(@PathVariable long villageId, @Valid @RequestBody Mono<DonationRequest> body,
			@RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey) {
		RegionId village = new RegionId(villageId);
		return this.access.caller()
			.flatMap((caller) -> this.access.requireRead(caller, village)
				.then(body)
				.flatMap((request) -> this.donations.donate(caller, village, request.toDonation(), idempotencyKey)));
	}

	@GetMapping(path = "/api/v1/households/{householdId}/donations/received",
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Gifts a household received, newest first",
			description = "Anonymous donors show as 匿名 except to the village's admins and supervisors.")
	Mono<CursorPage<DonationLine>> received(@PathVariable long householdId,
			@RequestParam(required = false) @Nullable String cursor,
			@RequestParam(required = false) @Nullable Integer limit) {
		return this.donations.received(new HouseholdId(householdId), PageRequest.of(cursor, limit));
	}

	@GetMapping(path = "/api/v1/households/{householdId}/donations/given", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Gifts a household gave, newest first")
	Mono<CursorPage<DonationLine>> given(@PathVariable long householdId,
			@RequestParam(required = false) @Nullable String cursor,
			@RequestParam(required = false) @Nullable Integer limit) {
		return this.donations.given(new HouseholdId(householdId), PageRequest.of(cursor, limit));
	}

	@GetMapping(path = "/api/v1/villages/{villageId}/donation-policy", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The village's donation rules")
	Mono<DonationPolicy> policy(@PathVariable long villageId) {
		return this.donations.policy(new RegionId(villageId));
	}

	@PutMapping(path = "/api/v1/villages/{villageId}/donation-policy", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Change the village's donation rules (village admins)")
	Mono<DonationPolicy> savePolicy(@PathVariable long villageId, @Valid @RequestBody Mono<PolicyRequest> body) {
		RegionId village = new RegionId(villageId);
		return this.access.requireAdmin(village)
			.flatMap((caller) -> body
				.flatMap((request) -> this.donations.savePolicy(caller, village, new DonationPolicy(request.dailyCap(),
						request.monthlyCap(), request.minimum(), request.assistanceListOnly()))));
	}

	@PutMapping(path = "/api/v1/households/{householdId}/assistance", consumes = MediaType.APPLICATION_JSON_VALUE)
	@ResponseStatus(HttpStatus.NO_CONTENT)
	@Operation(summary = "Put a household on the village's assistance list, 困难户 (village admins)")
	Mono<Void> list(@PathVariable long householdId, @Valid @RequestBody Mono<AssistanceRequest> body) {
		HouseholdId household = new HouseholdId(householdId);
		return this.donations.adminOf(household)
			.flatMap((caller) -> body
				.flatMap((request) -> this.donations.assistance(caller, household, request.reason())));
	}

	@DeleteMapping(path = "/api/v1/households/{householdId}/assistance")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	@Operation(summary = "Take a household off the assistance list (village admins)")
	Mono<Void> unlist(@PathVariable long householdId) {
		return this.access.caller()
			.flatMap((caller) -> this.donations.assistance(caller, new HouseholdId(householdId), null));
	}

	@GetMapping(path = "/api/v1/villages/{villageId}/donation-signals", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Giving that looks like collusion (supervisors, admins)",
			description = "Pairs passing points back and forth and rings of up to 5 households in the last days.")
	Mono<List<Signal>> signals(@PathVariable long villageId,
			@RequestParam(defaultValue = "90") @Min(1) @Max(366) int days) {
		return this.donations.signals(new RegionId(villageId), days);
	}

	record DonationRequest(@Positive @Nullable Long recipientHouseholdId, @Positive @Nullable Long recipientMemberId,
			@NotNull @Positive @Max(1_000_000) Long points, @Size(max = 200) @Nullable String message,
			@Nullable Boolean anonymous, @Size(max = 32) @Nullable String kind) {

		NewDonation toDonation() {
			return new NewDonation(this.recipientHouseholdId, this.recipientMemberId, this.points,
					(this.message != null && !this.message.isBlank()) ? this.message.strip() : null,
					Boolean.TRUE.equals(this.anonymous), this.kind);
		}

	}

	record PolicyRequest(@Positive @Max(1_000_000) long dailyCap, @Positive @Max(10_000_000) long monthlyCap,
			@Positive @Max(1_000_000) long minimum, boolean assistanceListOnly) {
	}

	record AssistanceRequest(@NotBlank @Size(max = 200) String reason) {
	}

}
