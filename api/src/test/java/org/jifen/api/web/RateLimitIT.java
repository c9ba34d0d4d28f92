package org.jifen.api.web;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Role;
import org.jifen.api.support.Fixtures;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.SignedIn;
import org.jifen.api.village.Region;
import org.jifen.api.village.Villages;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Budgets per caller, counted in the real Redis: a flood of changes from one user or of
 * sign-ins from one address is answered 429 with Retry-After once its budget is spent,
 * writes nothing more, and leaves other callers alone.
 */
class RateLimitIT extends IntegrationTest {

	@DynamicPropertySource
	static void smallBudgets(DynamicPropertyRegistry registry) {
		registry.add("jifen.rate-limits.posting", () -> "5");
		registry.add("jifen.rate-limits.sign-in", () -> "4");
		registry.add("jifen.rate-limits.window", () -> "1h");
		// Counted every time even on a machine busy enough to delay Redis's answers.
		registry.add("jifen.rate-limits.count-timeout", () -> "10s");
	}

	@Autowired
	private Villages villages;

	@Autowired
	private Accounts accounts;

	private Region village;

	@BeforeEach
	void aVillage() {
		services().wipe();
		services().flushRedis();
		this.village = Fixtures.village(this.villages, "rate");
	}

	@LocalServerPort
	int port;

	@Test
	void aUserWhoPostsTooMuchIsToldToWaitAndWritesNothingMore() {
		// The budget of sign-ins from this address is 4: two accounts sign in here.
		String busy = SignedIn.staff(this.http, this.accounts, "rate-busy", Role.VILLAGE_ADMIN,
				this.village.id().value());
		String other = SignedIn.staff(this.http, this.accounts, "rate-other", Role.VILLAGE_ADMIN,
				this.village.id().value());
		for (int i = 1; i <= 5; i++) {
			register(busy, "00" + i).expectStatus().isCreated();
		}

		register(busy, "006").expectStatus()
			.isEqualTo(429)
			.expectHeader()
			.value(HttpHeaders.RETRY_AFTER, (seconds) -> assertThat(Long.parseLong(seconds)).isBetween(1L, 3600L))
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:rate-limited")
			.jsonPath("$.limit")
			.isEqualTo(5);
		assertThat(services().count("select count(*) from household where village_id = ?", this.village.id().value()))
			.isEqualTo(5);
		// Reads are not counted, and another user has a budget of their own.
		this.http.get()
			.uri("/api/v1/villages/{id}/households", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + busy)
			.exchange()
			.expectStatus()
			.isOk();
		register(other, "007").expectStatus().isCreated();
	}

	@Test
	void signInsFromOneAddressStopAtTheirBudget() {
		this.accounts.createStaff("rate-signin", "rate-signin", SignedIn.PASSWORD, List.of()).block();
		for (int i = 0; i < 4; i++) {
			login("wrong password " + i).expectStatus().isUnauthorized();
		}
		login(SignedIn.PASSWORD).expectStatus().isEqualTo(429).expectHeader().exists(HttpHeaders.RETRY_AFTER);
	}

	@Test
	void anEncodedPathToTheSignInSpendsTheSameBudget() {
		this.accounts.createStaff("rate-encoded", "rate-encoded", SignedIn.PASSWORD, List.of()).block();
		// "%75" is "u": routing decodes it and reaches the sign-in; so must the budget.
		URI encoded = URI.create("http://localhost:" + this.port + "/api/v1/a%75th/login");
		for (int i = 0; i < 4; i++) {
			this.http.post()
				.uri(encoded)
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(Map.of("username", "rate-encoded", "password", "wrong password " + i))
				.exchange()
				.expectStatus()
				.isUnauthorized();
		}
		this.http.post()
			.uri(encoded)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("username", "rate-encoded", "password", SignedIn.PASSWORD))
			.exchange()
			.expectStatus()
			.isEqualTo(429);
	}

	private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec register(String token,
			String number) {
		return this.http.post()
			.uri("/api/v1/villages/{id}/households", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("number", number, "headName", "户主" + number, "members",
					List.of(Map.of("name", "户主" + number, "relation", "户主", "birthYear", 1960))))
			.exchange();
	}

	private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec login(String password) {
		return this.http.post()
			.uri("/api/v1/auth/login")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("username", "rate-signin", "password", password))
			.exchange();
	}

}
