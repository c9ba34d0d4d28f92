package org.jifen.api.faults;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.jifen.api.identity.Accounts;
import org.jifen.api.ledger.Ledger;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.support.Fixtures;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.SignedIn;
import org.jifen.api.village.Household;
import org.jifen.api.village.Region;
import org.jifen.api.village.Villages;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis gone (nothing listens where it should be): balances and history, which live in
 * PostgreSQL, stay readable; boards, which live in Redis, answer at once with a 503
 * problem a client may retry, never a 500 or a hang.
 */
class RedisDownIT extends IntegrationTest {

	@DynamicPropertySource
	static void redisNowhere(DynamicPropertyRegistry registry) {
		int nowhere = closedPort();
		// The URL wins over the host and port the base class gives.
		registry.add("spring.data.redis.url", () -> "redis://127.0.0.1:" + nowhere);
	}

	@Autowired
	private Villages villages;

	@Autowired
	private Accounts accounts;

	@Autowired
	private Ledger ledger;

	@Autowired
	private PointKinds kinds;

	private Region village;

	private Household household;

	private String villager;

	@BeforeEach
	void aHouseholdWithPoints() {
		services().wipe();
		this.village = Fixtures.village(this.villages, "redis-down");
		this.household = Fixtures.registered(this.villages, this.village, Fixtures.household("001", "张小明"));
		Fixtures.award(this.ledger, this.kinds, this.village, this.household, 8, "孝: 照顾老人");
		// The first request of a fresh JVM whose Redis is nowhere (each count waits for
		// its refusal) may take more than the client's usual 5 s.
		WebTestClient patient = this.http.mutate().responseTimeout(Duration.ofSeconds(30)).build();
		this.villager = SignedIn.villager(patient, this.accounts, "redis-down", this.household.members().get(0).id());
	}

	@Test
	void balancesAndHistoryStayReadableWhileBoardsAnswer503() {
		this.http.get()
			.uri("/api/v1/households/{id}/balances", this.household.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villager)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$[?(@.kindCode == 'household')].score")
			.isEqualTo(8);
		this.http.get()
			.uri("/api/v1/households/{id}/history", this.household.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villager)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.items[0].memo")
			.isEqualTo("孝: 照顾老人");

		long started = System.nanoTime();
		this.http.get()
			.uri("/api/v1/villages/{id}/boards", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villager)
			.exchange()
			.expectStatus()
			.isEqualTo(503)
			.expectHeader()
			.valueEquals(HttpHeaders.RETRY_AFTER, "5")
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:service-unavailable");
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
	}

	/** A loopback port nothing listens on. */
	static int closedPort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
