package org.jifen.api.village;

import java.net.URI;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.identity.Access;
import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.Masking;
import org.jifen.api.web.CursorPage;
import org.jifen.api.web.PageRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Regions, households and members over HTTP. Names are masked (张*明) until identity and
 * roles decide who may see them in full.
 */
@RestController
@RequestMapping(path = "/api/v1", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Villages", description = "Regions, households and members")
class VillageController {

	private final Villages villages;

	private final Access access;

	VillageController(Villages villages, Access access) {
		this.villages = villages;
		this.access = access;
	}

	@GetMapping("/regions")
	@Operation(summary = "List regions", description = "The regions directly inside a parent, or the counties.")
	Flux<RegionResponse> regions(@Parameter(description = "Parent region id; the counties when absent") @RequestParam(
			required = false) @Nullable Long parentId) {
		return this.villages.children((parentId != null) ? new RegionId(parentId) : null).map(RegionResponse::of);
	}

	@GetMapping("/regions/{regionId}")
	@Operation(summary = "Read a region")
	Mono<RegionResponse> region(@PathVariable long regionId) {
		return this.villages.region(new RegionId(regionId)).map(RegionResponse::of);
	}

	@GetMapping("/villages/{villageId}/households")
	@Operation(summary = "List the households of a village", description = "Cursor-paged, oldest first. "
			+ "Names are masked except for the village's admins and supervisors.")
	Mono<CursorPage<HouseholdSummaryResponse>> households(@PathVariable long villageId,
			@Parameter(description = "The nextCursor of the previous page") @RequestParam(
					required = false) @Nullable String cursor,
			@Parameter(description = "Page size, 1 to 100 (default 20)") @RequestParam(
					required = false) @Nullable Integer limit) {
		PageRequest page = PageRequest.of(cursor, limit);
		RegionId village = new RegionId(villageId);
		return this.access.requireRead(village)
			.flatMap((caller) -> this.access.oversees(caller, village))
			.flatMap((fullNames) -> this.villages.households(village, page)
				.map((households) -> households.map((household) -> HouseholdSummaryResponse.of(household, fullNames))));
	}

	@GetMapping("/households/{householdId}")
	@Operation(summary = "Read a household with its members",
			description = "Phone and ID numbers are always masked; names are masked except for admins and supervisors.")
	Mono<HouseholdResponse> household(@PathVariable long householdId) {
		return this.villages.household(new HouseholdId(householdId))
			.flatMap((household) -> this.access.requireRead(household.villageId())
				.flatMap((caller) -> this.access.oversees(caller, household.villageId()))
				.map((fullNames) -> HouseholdResponse.of(household, fullNames)));
	}

	@GetMapping("/villages/{villageId}/members")
	@Operation(summary = "Find members of a village by phone number (admins)")
	Flux<MemberResponse> membersByPhone(@PathVariable long villageId,
			@RequestParam @Pattern(regexp = "1[0-9]{10}") String phone) {
		RegionId village = new RegionId(villageId);
		return this.access.requireAdmin(village)
			.thenMany(this.villages.membersByPhone(village, phone))
			.map((member) -> MemberResponse.of(member, true));
	}

	@PostMapping(path = "/villages/{villageId}/households", consumes = MediaType.APPLICATION_JSON_VALUE)
	@ResponseStatus(HttpStatus.CREATED)
	@Operation(summary = "Register a household with its members (village admin)")
	Mono<ResponseEntity<HouseholdResponse>> registerHousehold(@PathVariable long villageId,
			@Valid @RequestBody Mono<RegisterHouseholdRequest> request) {
		RegionId village = new RegionId(villageId);
		// Authorise before the body is read, so an outsider learns nothing from
		// validation errors.
		return this.access.requireAdmin(village)
			.flatMap((caller) -> request
				.flatMap((body) -> this.villages.registerHousehold(village, body.toCommand(), caller.actor())))
			.map((household) -> ResponseEntity.status(HttpStatus.CREATED)
				.location(URI.create("/api/v1/households/" + household.id().value()))
				.body(HouseholdResponse.of(household, true)));
	}

	@PostMapping(path = "/villages/{villageId}/households/import", consumes = "text/csv")
	@Operation(summary = "Onboard a village's households from CSV (village admin)",
			description = "One member a line: " + HouseholdCsv.HEADER + ". All lines valid or nothing is written; "
					+ "a 422 import-rejected problem lists every bad line with its reason.")
	Mono<ImportResponse> importHouseholds(@PathVariable long villageId, @RequestBody Mono<String> csv) {
		RegionId village = new RegionId(villageId);
		return this.access.requireAdmin(village)
			.flatMap((caller) -> csv.defaultIfEmpty("")
				.flatMap((text) -> this.villages.importHouseholds(village, text, caller.actor())))
			.map(ImportResponse::new);
	}

	record ImportResponse(long households) {
	}

	@PostMapping(path = "/regions", consumes = MediaType.APPLICATION_JSON_VALUE)
	@ResponseStatus(HttpStatus.CREATED)
	@Operation(summary = "Add a town, village or village group (admins of the region above)")
	Mono<RegionResponse> addRegion(@Valid @RequestBody Mono<NewRegionRequest> request) {
		return request
			.flatMap((body) -> this.access.requireAdmin(new RegionId(body.parentId()))
				.flatMap((caller) -> this.villages.addRegion(new RegionId(body.parentId()), body.level(),
						body.code().strip(), body.name().strip(), caller.actor())))
			.map(RegionResponse::of);
	}

	@PatchMapping(path = "/regions/{regionId}", consumes = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Rename a region or change its time zone (its admins)")
	Mono<RegionResponse> editRegion(@PathVariable long regionId, @Valid @RequestBody Mono<EditRegionRequest> request) {
		RegionId region = new RegionId(regionId);
		return this.access.requireAdmin(region)
			.flatMap((caller) -> request
				.flatMap((body) -> this.villages.editRegion(region, body.name(), body.validTimeZone(), caller.actor())))
			.map(RegionResponse::of);
	}

	@PatchMapping(path = "/households/{householdId}", consumes = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Edit a household's head, address or group (village admin)")
	Mono<HouseholdResponse> editHousehold(@PathVariable long householdId,
			@Valid @RequestBody Mono<EditHouseholdRequest> request) {
		HouseholdId id = new HouseholdId(householdId);
		return this.villages.household(id)
			.flatMap((household) -> this.access.requireAdmin(household.villageId()))
			.flatMap((caller) -> request.flatMap((body) -> this.villages.editHousehold(id, body.headName(),
					body.address(), (body.groupId() != null) ? new RegionId(body.groupId()) : null, caller.actor())))
			.map((household) -> HouseholdResponse.of(household, true));
	}

	@PostMapping(path = "/households/{householdId}/members", consumes = MediaType.APPLICATION_JSON_VALUE)
	@ResponseStatus(HttpStatus.CREATED)
	@Operation(summary = "Add a member to a household (village admin)")
	Mono<HouseholdResponse> addMember(@PathVariable long householdId, @Valid @RequestBody Mono<MemberRequest> request) {
		HouseholdId id = new HouseholdId(householdId);
		return this.villages.household(id)
			.flatMap((household) -> this.access.requireAdmin(household.villageId()))
			.flatMap((caller) -> request.flatMap((body) -> this.villages.addMember(id,
					new NewHousehold.NewMember(body.name().strip(), body.relation().strip(), body.birthYear(),
							body.phone(), body.idNumber()),
					caller.actor())))
			.map((household) -> HouseholdResponse.of(household, true));
	}

	@PatchMapping(path = "/members/{memberId}", consumes = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Edit a member (village admin)", description = "Absent fields stay as they are.")
	Mono<HouseholdResponse> editMember(@PathVariable long memberId,
			@Valid @RequestBody Mono<EditMemberRequest> request) {
		MemberId id = new MemberId(memberId);
		return this.villages.memberHome(id)
			.flatMap((home) -> this.access.requireAdmin(home.villageId()))
			.flatMap((caller) -> request.flatMap((body) -> this.villages.editMember(id,
					new NewHousehold.NewMember(body.name(), body.relation(), body.birthYear(), body.phone(),
							body.idNumber()),
					caller.actor())))
			.map((household) -> HouseholdResponse.of(household, true));
	}

	record NewRegionRequest(@NotNull Long parentId, @NotNull RegionLevel level,
			@NotBlank @Size(max = 32) @Pattern(regexp = "[0-9A-Za-z-]+") String code,
			@NotBlank @Size(max = 50) String name) {
	}

	record EditRegionRequest(@Size(min = 1, max = 50) @Nullable String name,
			@Size(max = 40) @Nullable String timeZone) {

		@Nullable String validTimeZone() {
			if (this.timeZone == null) {
				return null;
			}
			try {
				return ZoneId.of(this.timeZone).getId();
			}
			catch (DateTimeException ex) {
				throw new DomainException(DomainException.Kind.MALFORMED, "invalid-time-zone",
						"Unknown time zone " + this.timeZone + ".");
			}
		}

	}

	record EditHouseholdRequest(@Size(min = 1, max = 50) @Nullable String headName,
			@Size(max = 200) @Nullable String address, @Nullable Long groupId) {
	}

	record EditMemberRequest(@Size(min = 1, max = 50) @Nullable String name,
			@Size(min = 1, max = 20) @Nullable String relation, @Min(1900) @Max(2100) @Nullable Integer birthYear,
			@Pattern(regexp = "1[0-9]{10}") @Nullable String phone,
			@Pattern(regexp = "[0-9]{17}[0-9Xx]") @Nullable String idNumber) {
	}

	record RegionResponse(long id, @Nullable Long parentId, RegionLevel level, String code, String name,
			String timeZone) {

		static RegionResponse of(Region region) {
			return new RegionResponse(region.id().value(),
					(region.parentId() != null) ? region.parentId().value() : null, region.level(), region.code(),
					region.name(), region.timeZone());
		}

	}

	record HouseholdSummaryResponse(long id, @Nullable Long groupId, String number, String headName, int memberCount) {

		static HouseholdSummaryResponse of(HouseholdSummary household, boolean fullNames) {
			return new HouseholdSummaryResponse(household.id().value(),
					(household.groupId() != null) ? household.groupId().value() : null, household.number(),
					fullNames ? household.headName() : Masking.name(household.headName()), household.memberCount());
		}

	}

	record HouseholdResponse(long id, long villageId, @Nullable Long groupId, String number, String headName,
			List<MemberResponse> members) {

		static HouseholdResponse of(Household household, boolean fullNames) {
			return new HouseholdResponse(household.id().value(), household.villageId().value(),
					(household.groupId() != null) ? household.groupId().value() : null, household.number(),
					fullNames ? household.headName() : Masking.name(household.headName()),
					household.members().stream().map((member) -> MemberResponse.of(member, fullNames)).toList());
		}

	}

	record MemberResponse(long id, String name, String relation, @Nullable Integer birthYear, @Nullable String phone,
			@Nullable String idNumber) {

		static MemberResponse of(Member member, boolean fullNames) {
			return new MemberResponse(member.id().value(), fullNames ? member.name() : Masking.name(member.name()),
					member.relation(), member.birthYear(),
					(member.phone() != null) ? Masking.phone(member.phone()) : null,
					(member.idNumber() != null) ? Masking.idNumber(member.idNumber()) : null);
		}

	}

	record RegisterHouseholdRequest(@Nullable Long groupId,
			@NotBlank @Size(max = 32) @Pattern(regexp = "[0-9A-Za-z-]+") String number,
			@NotBlank @Size(max = 50) String headName, @Size(max = 200) @Nullable String address,
			@NotNull @Size(min = 1, max = 30) List<@Valid @NotNull MemberRequest> members) {

		NewHousehold toCommand() {
			return new NewHousehold((this.groupId != null) ? new RegionId(this.groupId) : null, this.number.strip(),
					this.headName.strip(), this.address,
					this.members.stream()
						.map((member) -> new NewHousehold.NewMember(member.name().strip(), member.relation().strip(),
								member.birthYear(), member.phone(), member.idNumber()))
						.toList());
		}

	}

	record MemberRequest(@NotBlank @Size(max = 50) String name, @NotBlank @Size(max = 20) String relation,
			@Min(1900) @Max(2100) @Nullable Integer birthYear, @Pattern(regexp = "1[0-9]{10}") @Nullable String phone,
			@Pattern(regexp = "[0-9]{17}[0-9Xx]") @Nullable String idNumber) {
	}

}
