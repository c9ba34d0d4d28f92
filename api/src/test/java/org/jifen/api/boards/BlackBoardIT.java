package org.jifen.api.boards;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.jifen.api.catalog.Catalog;
import org.jifen.api.catalog.CatalogItemDraft;
import org.jifen.api.claims.Claim;
import org.jifen.api.claims.Claims;
import org.jifen.api.claims.NewClaim;
import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Caller;
import org.jifen.api.identity.Role;
import org.jifen.api.support.Fixtures;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.SignedIn;
import org.jifen.api.village.Household;
import org.jifen.api.village.Region;
import org.jifen.api.village.Villages;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

/**
 * The black board (黑榜): off unless the village turns it on; effective deductions with
 * masked names; gone once the household puts things right.
 */
class BlackBoardIT extends IntegrationTest {

	@Autowired
	private Villages villages;

	@Autowired
	private Accounts accounts;

	@Autowired
	private Catalog catalog;

	@Autowired
	private Claims claims;

	private Region village;

	private Household household;

	private String admin;

	private String villager;

	private long deduction;

	@BeforeEach
	void anEffectiveDeduction() {
		services().wipe();
		this.village = Fixtures.village(this.villages, "black");
		this.household = Fixtures.registered(this.villages, this.village, Fixtures.household("007", "王建国"));
		this.admin = SignedIn.staff(this.http, this.accounts, "black-admin", Role.VILLAGE_ADMIN,
				this.village.id().value());
		this.villager = SignedIn.villager(this.http, this.accounts, "black-villager",
				this.household.members().get(0).id());
		Caller reviewer = SignedIn.staffCaller(this.accounts, "black-reviewer", Role.VILLAGE_ADMIN,
				this.village.id().value());
		this.catalog
			.save(this.village.id(), new CatalogItemDraft("mei-k1", "门前乱堆乱放", "美", -3, null, null, false, null, null),
					reviewer.actor())
			.block();
		Claim claim = this.claims
			.submit(reviewer, this.village.id(),
					new NewClaim(this.household.id().value(), "mei-k1", Claim.Source.ORGANISATION, "门前堆放秸秆", null))
			.block();
		this.claims.approve(reviewer, claim.id(), "网格员核实").block();
		this.claims.closeDue(Instant.now().plus(Duration.ofDays(8))).block();
		this.claims.closeDue(Instant.now().plus(Duration.ofDays(16))).block();
		this.deduction = claim.id();
	}

	@Test
	void theBlackBoardIsOffUntilTheVillageTurnsItOn() {
		this.http.get()
			.uri("/api/v1/villages/{id}/boards/black", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villager)
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:black-board-off");
		this.http.put()
			.uri("/api/v1/villages/{id}/boards/black/enabled", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villager)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("enabled", true))
			.exchange()
			.expectStatus()
			.isForbidden();
	}

	@Test
	void anEffectiveDeductionShowsMaskedAndLeavesWhenPutRight() {
		this.http.put()
			.uri("/api/v1/villages/{id}/boards/black/enabled", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.admin)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("enabled", true))
			.exchange()
			.expectStatus()
			.isOk();
		this.http.get()
			.uri("/api/v1/villages/{id}/boards/black", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villager)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.lines.length()")
			.isEqualTo(1)
			.jsonPath("$.lines[0].headName")
			.isEqualTo("王*国")
			.jsonPath("$.lines[0].item")
			.isEqualTo("门前乱堆乱放")
			.jsonPath("$.lines[0].points")
			.isEqualTo(3);
		this.http.get()
			.uri("/api/v1/villages/{id}/boards/black", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.admin)
			.exchange()
			.expectBody()
			.jsonPath("$.lines[0].headName")
			.isEqualTo("王建国");

		this.http.post()
			.uri("/api/v1/claims/{id}/rectified", this.deduction)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.admin)
			.exchange()
			.expectStatus()
			.isOk();
		this.http.get()
			.uri("/api/v1/villages/{id}/boards/black", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villager)
			.exchange()
			.expectBody()
			.jsonPath("$.lines.length()")
			.isEqualTo(0);
		this.http.get()
			.uri("/api/v1/households/{id}/balances", this.household.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villager)
			.exchange()
			.expectBody()
			.jsonPath("$[0].score")
			.isEqualTo(-3);
	}

}
