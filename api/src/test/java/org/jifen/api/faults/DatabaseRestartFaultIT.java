package org.jifen.api.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.jifen.api.embedded.EmbeddedPostgres;
import org.jifen.api.embedded.EmbeddedRedis;
import org.jifen.api.support.RealServices;
import org.jifen.api.faults.Traffic.Answer;
import org.jifen.api.faults.Traffic.Change;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL stopped and started again (same data, same port) while clients donate,
 * submit and approve claims and read balances and history. Every request acknowledged
 * with a 2xx is in the database exactly once; every request refused during the outage was
 * a fast 503 problem, and its retry with the same {@code Idempotency-Key} landed exactly
 * once; the ledger verifies and the boards equal it. The database is this test's own
 * embedded server, so stopping it troubles no other test.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "jifen.embedded.enabled=false", "jifen.demo.enabled=false",
				"jifen.identity.jwt.key-file=target/test-keys/jwt-signing-key.pem",
				"jifen.privacy.key-file=target/test-keys/personal-data.keys", "jifen.evidence.dir=target/test-evidence",
				"jifen.rate-limits.sign-in=1000000", "jifen.rate-limits.posting=1000000" })
@AutoConfigureWebTestClient
class DatabaseRestartFaultIT {

	private static final String DATABASE = "jifen_fault_restart";

	private static Path dataDirectory;

	private static EmbeddedPostgres postgres;

	/** Its own Redis too: region ids of this database would collide on a shared one. */
	private static final EmbeddedRedis redis = EmbeddedRedis.start();

	@DynamicPropertySource
	static void ownDatabase(DynamicPropertyRegistry registry) throws Exception {
		dataDirectory = Files.createTempDirectory("jifen-fault-postgres");
		postgres = EmbeddedPostgres.start(dataDirectory, DATABASE);
		RealServices.useDatabase(registry, postgres);
		registry.add("spring.data.redis.host", redis::host);
		registry.add("spring.data.redis.port", redis::port);
	}

	@AfterAll
	static void stopTheServers() {
		postgres.close();
		redis.close();
	}

	@LocalServerPort
	private int port;

	@Autowired
	private ApplicationContext application;

	@Autowired
	private WebTestClient http;

	@Test
	void underLoadPostgresRestartsAndEveryAcknowledgedChangeIsThereExactlyOnce() throws Exception {
		Traffic traffic = new Traffic("http://localhost:" + this.port);
		VillageLoad load = new VillageLoad("pg-fault", traffic, this.http, this.application);
		assertThat(count("select count(*) from region where code = ?", "pg-fault"))
			.as("the application uses this test's own database")
			.isOne();
		load.start(6);
		Traffic.pause(Duration.ofSeconds(3));

		int port = postgres.port();
		postgres.close();
		Traffic.pause(Duration.ofSeconds(6));
		postgres = EmbeddedPostgres.start(dataDirectory, DATABASE, port);
		Traffic.pause(Duration.ofSeconds(8));
		load.stop();
		System.out.println("Traffic under the PostgreSQL restart:" + traffic.summary());

		assertThat(traffic.answers()).as("requests refused during the outage").anyMatch(Answer::outage);
		assertThat(traffic.unexpected("idempotency-request-in-progress"))
			.as("answers neither 2xx, a 503 problem nor a key still locked")
			.isEmpty();
		assertThat(traffic.answers().stream().filter(Answer::outage)).as("refusals that took their time")
			.allMatch((answer) -> answer.took().compareTo(Duration.ofSeconds(10)) < 0);
		long refusedFirst = traffic.changes().stream().filter((change) -> !change.attempts().getFirst().ok()).count();
		assertThat(refusedFirst).as("changes refused at first").isPositive();

		load.settle();
		for (Change change : traffic.changes()) {
			assertThat(change.attempts()).as("%s", change).last().satisfies((last) -> assertThat(last.ok()).isTrue());
		}
		load.proveExactlyOnce(DatabaseRestartFaultIT::count);
		load.proveBoardsMatchTheLedger(DatabaseRestartFaultIT::count);
	}

	private static long count(String sql, Object... parameters) {
		return RealServices.count(postgres, sql, parameters);
	}

}
