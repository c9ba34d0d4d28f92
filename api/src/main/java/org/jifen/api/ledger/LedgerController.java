package org.jifen.api.ledger;

import java.time.ZoneId;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.identity.Access;
import org.jifen.api.village.HouseholdId;
import org.jifen.api.village.RegionId;
import org.jifen.api.village.Villages;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
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

	LedgerController(Ledger ledger, Villages villages, Access access) {
		this.ledger = ledger;
		this.villages = villages;
		this.access = access;
	}

	@GetMapping(path = "/api/v1/households/{householdId}/balances", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "A household's score and available points per kind",
			description = "With the score earned this month, quarter and year in the village's time zone.")
	Flux<Balance> balances(@PathVariable long householdId) {
		HouseholdId household = new HouseholdId(householdId);
		return this.villages.household(household)
			.flatMap(
					(found) -> this.access.requireRead(found.villageId()).then(this.villages.region(found.villageId())))
			.flatMapMany((village) -> this.ledger.balances(household, ZoneId.of(village.timeZone())));
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
