package org.jifen.api.claims;

import java.time.Instant;
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
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.identity.Access;
import org.jifen.api.shared.Masking;
import org.jifen.api.village.RegionId;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Claims over HTTP: submitted by villagers (self-report, recommendation) or the
 * organisation, decided by reviewers, published on the village's notice board, objected
 * to by anyone of the village.
 */
@RestController
@Tag(name = "Claims", description = "Awards and deductions through review and public notice")
class ClaimController {

	private final Claims claims;

	private final Access access;

	ClaimController(Claims claims, Access access) {
		this.claims = claims;
		this.access = access;
	}

	@PostMapping(path = "/api/v1/villages/{villageId}/claims", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@ResponseStatus(HttpStatus.CREATED)
	@Operation(summary = "Submit a claim", description = "SELF_REPORT and NEIGHBOUR by villagers; ORGANISATION by "
			+ "reviewers and admins (the only source of deductions); onBehalfOfMemberId for 代办 by an admin.")
	Mono<Claim> submit(@PathVariable long villageId, @Valid @RequestBody Mono<ClaimRequest> request,
			@RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey) {
		RegionId village = new RegionId(villageId);
		return this.access.requireRead(village)
			.flatMap((caller) -> request
				.flatMap((body) -> this.claims.submit(caller, village, body.toCommand(), idempotencyKey)));
	}

	@PostMapping(path = "/api/v1/villages/{villageId}/claims/batch", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@ResponseStatus(HttpStatus.CREATED)
	@Operation(summary = "Record the organisation's claims about many households at once (reviewer or admin)",
			description = "The village's monthly batch or a scoring of every household: up to 500 rows (descriptions of at "
					+ "most 100 characters), each an "
					+ "ORGANISATION claim. Every row valid or nothing is written: a 422 batch-rejected problem lists "
					+ "every bad row (1-based) with its type and reason. The claims come back in the order of the rows.")
	Mono<ClaimsResponse> submitBatch(@PathVariable long villageId, @Valid @RequestBody Mono<BatchRequest> request) {
		RegionId village = new RegionId(villageId);
		return this.access.requireReviewer(village)
			.flatMap((caller) -> request.flatMap((body) -> this.claims.submitBatch(caller, village,
					body.rows().stream().map(BatchRowRequest::toCommand).toList())))
			.map(ClaimsResponse::new);
	}

	@PostMapping(path = "/api/v1/villages/{villageId}/claims/approvals", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Approve many claims of the village at once (reviewer): the review meeting's decision",
			description = "Up to 1000 claims. Every claim decidable by this reviewer or nothing changes: a 422 "
					+ "batch-rejected problem lists every refused claim (1-based position in claimIds) with its type "
					+ "(claim-not-found, illegal-transition, conflict-of-interest, evidence-required). Awards go into "
					+ "public notice; a deduction first asks the household to rectify.")
	Mono<ClaimsResponse> approveAll(@PathVariable long villageId, @Valid @RequestBody Mono<ApprovalsRequest> request) {
		RegionId village = new RegionId(villageId);
		return this.access.requireReviewer(village)
			.flatMap((caller) -> request
				.flatMap((body) -> this.claims.approveAll(caller, village, body.claimIds(), body.reason())))
			.map(ClaimsResponse::new);
	}

	@GetMapping(path = "/api/v1/claims/{claimId}", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Read a claim")
	Mono<Claim> claim(@PathVariable long claimId) {
		return this.access.caller().flatMap((caller) -> this.claims.find(caller, claimId));
	}

	@PostMapping(path = "/api/v1/claims/{claimId}/approve", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Approve a claim (reviewer)",
			description = "An award goes into public notice; a deduction first asks the household to rectify.")
	Mono<Claim> approve(@PathVariable long claimId, @Valid @RequestBody Mono<DecisionRequest> request) {
		return this.access.caller()
			.flatMap((caller) -> this.claims.find(caller, claimId)
				.flatMap((claim) -> request.flatMap((body) -> this.claims.approve(caller, claim, body.reason()))));
	}

	@PostMapping(path = "/api/v1/claims/{claimId}/reject", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Reject a claim (reviewer), with a reason")
	Mono<Claim> reject(@PathVariable long claimId, @Valid @RequestBody Mono<ReasonRequest> request) {
		return this.access.caller()
			.flatMap((caller) -> this.claims.find(caller, claimId)
				.flatMap((claim) -> request.flatMap((body) -> this.claims.reject(caller, claim, body.reason()))));
	}

	@PostMapping(path = "/api/v1/claims/{claimId}/objections", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@ResponseStatus(HttpStatus.CREATED)
	@Operation(summary = "Object to a claim in public notice", description = "Sends it back to review.")
	Mono<Claim> object(@PathVariable long claimId, @Valid @RequestBody Mono<ReasonRequest> request) {
		return this.access.caller()
			.flatMap((caller) -> this.claims.find(caller, claimId)
				.then(request)
				.flatMap((body) -> this.claims.object(caller, claimId, body.reason())));
	}

	@PostMapping(path = "/api/v1/claims/{claimId}/rectified", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Record that the household rectified in time (admin): nothing is deducted")
	Mono<Claim> rectified(@PathVariable long claimId) {
		return this.access.caller().flatMap((caller) -> this.claims.rectified(caller, claimId));
	}

	@GetMapping(path = "/api/v1/villages/{villageId}/notices", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The village's public notice board (公示)", description = "Names are masked.")
	Flux<NoticeResponse> notices(@PathVariable long villageId) {
		return this.access.caller()
			.flatMapMany((caller) -> this.claims.noticeBoard(caller, new RegionId(villageId)))
			.map(NoticeResponse::of);
	}

	@GetMapping(path = "/api/v1/villages/{villageId}/settings", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The village's workflow rules: days of public notice and of rectification")
	Mono<Claims.Settings> settings(@PathVariable long villageId) {
		return this.access.caller().flatMap((caller) -> this.claims.settings(caller, new RegionId(villageId)));
	}

	@PutMapping(path = "/api/v1/villages/{villageId}/settings", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Change the village's workflow rules (village admin)")
	Mono<Claims.Settings> saveSettings(@PathVariable long villageId,
			@Valid @RequestBody Mono<SettingsRequest> request) {
		RegionId village = new RegionId(villageId);
		return this.access.requireAdmin(village)
			.flatMap((caller) -> request.flatMap((body) -> this.claims.saveSettings(caller, village,
					new Claims.Settings(body.noticeDays(), body.rectifyDays()))));
	}

	record SettingsRequest(@Min(1) @Max(60) int noticeDays, @Min(1) @Max(90) int rectifyDays) {
	}

	record ClaimRequest(@NotNull @Positive Long householdId, @NotBlank @Size(max = 32) String itemCode,
			@NotNull Claim.Source source, @NotBlank @Size(max = 500) String description,
			@Positive @Nullable Long onBehalfOfMemberId) {

		NewClaim toCommand() {
			return new NewClaim(this.householdId, this.itemCode, this.source, this.description.strip(),
					this.onBehalfOfMemberId);
		}

	}

	record BatchRequest(@NotNull @Size(min = 1, max = 500) List<@Valid @NotNull BatchRowRequest> rows) {
	}

	/**
	 * One row of a batch; descriptions are short so that a full batch stays within the
	 * request body limit (256 KB).
	 */
	record BatchRowRequest(@NotNull @Positive Long householdId, @NotBlank @Size(max = 32) String itemCode,
			@NotBlank @Size(max = 100) String description) {

		Claims.BatchClaim toCommand() {
			return new Claims.BatchClaim(this.householdId, this.itemCode, this.description.strip());
		}

	}

	record ApprovalsRequest(@NotNull @Size(min = 1, max = 1000) List<@NotNull @Positive Long> claimIds,
			@Size(max = 500) @Nullable String reason) {
	}

	record ClaimsResponse(List<Claim> claims) {
	}

	record DecisionRequest(@Size(max = 500) @Nullable String reason) {
	}

	record ReasonRequest(@NotBlank @Size(max = 500) String reason) {
	}

	record NoticeResponse(long claimId, String householdNumber, String headName, String itemCode, String itemName,
			String category, int points, @Nullable Instant noticeEndsAt) {

		static NoticeResponse of(Claims.Notice notice) {
			return new NoticeResponse(notice.claim().id(), notice.householdNumber(), Masking.name(notice.headName()),
					notice.item().code(), notice.item().name(), notice.item().category(), notice.claim().points(),
					notice.claim().noticeEndsAt());
		}

	}

}
