package org.jifen.api.web;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import org.jifen.api.support.IntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What operators rely on: liveness, readiness that includes PostgreSQL and Redis,
 * Prometheus metrics; and the proof that BlockHound really guards the integration tests.
 */
class OperationsIT extends IntegrationTest {

	@Autowired
	private DatabaseClient database;

	@Test
	void readinessIncludesPostgresAndRedis() {
		this.http.get()
			.uri("/actuator/health/readiness")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("UP")
			.jsonPath("$.components.r2dbc.status")
			.isEqualTo("UP")
			.jsonPath("$.components.redis.status")
			.isEqualTo("UP");
	}

	/**
	 * An instance cut off mid-transaction does not hold its locks until TCP gives up: the
	 * server ends a transaction idle for a minute, on every connection of the pool.
	 */
	@Test
	void theServerEndsATransactionLeftIdle() {
		String timeout = this.database.sql("select current_setting('idle_in_transaction_session_timeout') as timeout")
			.map((row) -> row.get("timeout", String.class))
			.one()
			.block();
		assertThat(timeout).isEqualTo("1min");
	}

	@Test
	void livenessIsUp() {
		this.http.get()
			.uri("/actuator/health/liveness")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("UP");
	}

	@Test
	void prometheusMetricsAreExposed() {
		this.http.get().uri("/actuator/health").exchange().expectStatus().isOk();
		// The page grows with every route and status the shared test context has served.
		this.http.mutate()
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(16 * 1024 * 1024))
			.build()
			.get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.value((text) -> org.assertj.core.api.Assertions.assertThat(text)
				.contains("http_server_requests_seconds_count"));
	}

	@Test
	void blockingOnAnEventLoopThreadIsCaught() {
		StepVerifier.create(Mono.fromCallable(() -> {
			Thread.sleep(1);
			return "slept";
		}).subscribeOn(Schedulers.parallel())).expectError(BlockingOperationError.class).verify(Duration.ofSeconds(5));
	}

}
