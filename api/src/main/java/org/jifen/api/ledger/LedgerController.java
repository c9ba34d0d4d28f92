package org.jifen.api.ledger;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.identity.Access;
import org.jifen.api.shared.DomainException;
import org.jifen.api.village.HouseholdId;
import org.jifen.api.village.RegionId;
import org.jifen.api.village.Villages;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Balances, and the verification that lets a supervisor prove the journal was not
 * rewritten.
 */
@RestController
@Tag(name = "Ledger", description = "Balances and journal verification")
class LedgerController {

	private final Ledger ledger;

	private final Villages villages;

	private final Access access;

	private final PointKinds kinds;

	LedgerController(Ledger ledger, Villages villages, Access access, PointKinds kinds) {
		this.ledger = ledger;
		this.villages = villages;
		this.access = access;
		this.kinds = kinds;
	}

	@GetMapping(path = "/api/v1/households/{householdId}/balances", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "A household's score and available points per kind",
			description = "With the score earned this month, quarter and year in the village's time zone.")
	Flux<Balance> balances(@PathVariable long householdId) {
		HouseholdId household = new HouseholdId(householdId);
		return this.villages.place(household)
			.flatMap((place) -> this.access.requireRead(place).thenReturn(place))
			.flatMapMany((place) -> this.ledger.balances(household, place.timeZone()));
	}

	@GetMapping(path = "/api/v1/regions/{regionId}/point-kinds", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The point kinds of the region's county")
	Flux<PointKind> kinds(@PathVariable long regionId) {
		RegionId region = new RegionId(regionId);
		return this.access.requireRead(region).thenMany(this.kinds.kindsOf(region));
	}

	@PutMapping(path = "/api/v1/regions/{regionId}/point-kinds/{code}", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Add or change a point kind of a county (county admin)")
	Mono<PointKind> configure(@PathVariable long regionId, @PathVariable String code,
			@Valid @RequestBody Mono<PointKindRequest> request) {
		RegionId county = new RegionId(regionId);
		return this.access.requireAdmin(county)
			.flatMap((caller) -> request
				.flatMap((body) -> this.kinds.configure(county, body.toKind(code), caller.actor())));
	}

	record PointKindRequest(@NotBlank @Size(max = 20) String name, @NotNull PointKind.Owner owner,
			@NotNull PointKind.Reset reset, boolean spendable, boolean transferable, boolean mayGoNegative) {

		PointKind toKind(String code) {
			if (!code.matches("[a-z0-9-]{1,20}")) {
				throw new DomainException(DomainException.Kind.MALFORMED, "invalid-point-kind-code",
						"A point kind code is 1 to 20 lowercase letters, digits or '-'.");
			}
			return new PointKind(0, 0, code, this.name.strip(), this.owner, this.reset, this.spendable,
					this.transferable, this.mayGoNegative, false);
		}

	}

	@GetMapping(path = "/api/v1/villages/{villageId}/ledger/verification", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Verify a village's journal (supervisors and admins)",
			description = "Every transaction sums to zero, the hash chain is intact, every balance equals its entries; "
					+ "names the first break.")
	Mono<Verification> verify(@PathVariable long villageId) {
		RegionId village = new RegionId(villageId);
		return this.access.requireOversight(village).then(this.ledger.verify(village));
	}

}
