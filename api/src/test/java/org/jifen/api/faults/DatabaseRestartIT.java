package org.jifen.api.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.jifen.api.catalog.Catalog;
import org.jifen.api.catalog.CatalogItemDraft;
import org.jifen.api.embedded.EmbeddedPostgres;
import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Caller;
import org.jifen.api.identity.Role;
import org.jifen.api.support.Fixtures;
import org.jifen.api.support.RealServices;
import org.jifen.api.support.SignedIn;
import org.jifen.api.village.Household;
import org.jifen.api.village.Region;
import org.jifen.api.village.Villages;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PostgreSQL stopped under a running application and started again: while it is down a
 * change fails at once with a 503 problem and writes nothing; once it is back, the same
 * request retried with the same {@code Idempotency-Key} succeeds exactly once. The
 * database here is this test's own embedded server, so stopping it troubles no other
 * test.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "jifen.embedded.enabled=false", "jifen.demo.enabled=false",
				"jifen.identity.jwt.key-file=target/test-keys/jwt-signing-key.pem",
				"jifen.privacy.key-file=target/test-keys/personal-data.keys", "jifen.evidence.dir=target/test-evidence",
				"jifen.rate-limits.sign-in=1000000", "jifen.rate-limits.posting=1000000" })
@AutoConfigureWebTestClient
class DatabaseRestartIT {

	private static final String DATABASE = "jifen_restart";

	private static Path dataDirectory;

	private static EmbeddedPostgres postgres;

	@DynamicPropertySource
	static void ownDatabase(DynamicPropertyRegistry registry) throws Exception {
		dataDirectory = Files.createTempDirectory("jifen-restart-postgres");
		postgres = EmbeddedPostgres.start(dataDirectory, DATABASE);
		RealServices redis = RealServices.get();
		RealServices.useDatabase(registry, postgres);
		registry.add("spring.data.redis.host", redis::redisHost);
		registry.add("spring.data.redis.port", redis::redisPort);
	}

	@AfterAll
	static void stopTheDatabase() {
		postgres.close();
	}

	@Autowired
	private WebTestClient http;

	@Autowired
	private Villages villages;

	@Autowired
	private Accounts accounts;

	@Autowired
	private Catalog catalog;

	@Test
	void aChangeDuringTheOutageIs503AndItsRetryAfterwardsLandsOnce() throws Exception {
		Region village = Fixtures.village(this.villages, "restart");
		Household household = Fixtures.registered(this.villages, village, Fixtures.household("001", "张小明"));
		Caller setup = SignedIn.staffCaller(this.accounts, "restart-setup", Role.VILLAGE_ADMIN, village.id().value());
		this.catalog
			.save(village.id(), new CatalogItemDraft("mei-01", "打扫村道", "美", 3, null, null, false, null, null),
					setup.actor())
			.block();
		String admin = SignedIn.staff(this.http, this.accounts, "restart-admin", Role.VILLAGE_ADMIN,
				village.id().value());
		Map<String, Object> claim = Map.of("householdId", household.id().value(), "itemCode", "mei-01", "source",
				"ORGANISATION", "description", "打扫村道");

		int port = postgres.port();
		postgres.close();
		long started = System.nanoTime();
		submit(admin, village, claim).expectStatus()
			.isEqualTo(503)
			.expectHeader()
			.exists(HttpHeaders.RETRY_AFTER)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:service-unavailable");
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));

		postgres = EmbeddedPostgres.start(dataDirectory, DATABASE, port);
		// The pool finds the server again; until it does, the retry is another 503.
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> submit(admin, village, claim).returnResult(String.class).getStatus().value() == 201);
		submit(admin, village, claim).expectStatus()
			.isCreated()
			.expectHeader()
			.valueEquals("Idempotent-Replayed", "true");
		assertThat(count("select count(*) from claim")).isOne();
	}

	private WebTestClient.ResponseSpec submit(String token, Region village, Map<String, Object> claim) {
		return this.http.post()
			.uri("/api/v1/villages/{id}/claims", village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.header("Idempotency-Key", "restart-claim-1")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(claim)
			.exchange();
	}

	private static long count(String sql) {
		return RealServices.count(postgres, sql);
	}

}
