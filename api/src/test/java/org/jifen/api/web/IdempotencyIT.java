package org.jifen.api.web;

import java.sql.SQLException;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.jifen.api.support.Fixtures;
import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Role;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.SignedIn;
import org.jifen.api.village.Region;
import org.jifen.api.village.Villages;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code Idempotency-Key} on a real endpoint (registering a household): a lost answer
 * never means a lost or doubled household.
 */
class IdempotencyIT extends IntegrationTest {

	private static final String HOUSEHOLD = """
			{"number": "%s", "headName": "张小明", "members": [{"name": "张小明", "relation": "户主", "birthYear": 1970}]}""";

	@Autowired
	private Villages villages;

	@Autowired
	private IdempotencyFilter filter;

	@Autowired
	private Accounts accounts;

	private Region village;

	private String token;

	@BeforeEach
	void aVillageAndItsAdmin() {
		services().wipe();
		this.village = Fixtures.village(this.villages, "idem");
		this.token = SignedIn.staff(this.http, this.accounts, "idem-admin", Role.VILLAGE_ADMIN,
				this.village.id().value());
	}

	@Test
	void aReplayReturnsTheFirstAnswerUnchangedAndRegistersNothingTwice() {
		EntityExchangeResult<String> first = register("key-1", HOUSEHOLD.formatted("001")).expectStatus()
			.isCreated()
			.expectBody(String.class)
			.returnResult();
		EntityExchangeResult<String> replay = register("key-1", HOUSEHOLD.formatted("001")).expectStatus()
			.isCreated()
			.expectHeader()
			.valueEquals("Idempotent-Replayed", "true")
			.expectBody(String.class)
			.returnResult();

		assertThat(replay.getResponseBody()).isEqualTo(first.getResponseBody());
		assertThat(replay.getResponseHeaders().getLocation()).isEqualTo(first.getResponseHeaders().getLocation());
		assertThat(householdCount()).isEqualTo(1);
	}

	@Test
	void theSameKeyWithAnotherBodyIsRefusedWith422() {
		register("key-2", HOUSEHOLD.formatted("001")).expectStatus().isCreated();

		register("key-2", HOUSEHOLD.formatted("002")).expectStatus()
			.isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:idempotency-key-reused");
		assertThat(householdCount()).isEqualTo(1);
	}

	@Test
	void theSameKeyWhileTheFirstRequestRunsIsRefusedWith409() throws SQLException {
		// A first run in flight holds its key's lock until its transaction ends.
		try (var connection = services().jdbc()) {
			connection.setAutoCommit(false);
			try (var lock = connection.createStatement()) {
				lock.execute("""
						select pg_advisory_xact_lock(x'69646D'::int, hashtext(
						    (select id::text from app_user where username = 'idem-admin') || E'\\n' || 'key-3'))""");
			}

			register("key-3", HOUSEHOLD.formatted("001")).expectStatus()
				.isEqualTo(HttpStatus.CONFLICT)
				.expectBody()
				.jsonPath("$.type")
				.isEqualTo("urn:jifen:problem:idempotency-request-in-progress");
			assertThat(householdCount()).isZero();
			connection.rollback();
		}

		// The first run died with its transaction: the retry runs at once, no lease to
		// wait out.
		register("key-3", HOUSEHOLD.formatted("001")).expectStatus().isCreated();
		assertThat(householdCount()).isOne();
	}

	@Test
	void aChangeWhoseKeyCannotBeRecordedIsNotMadeAndItsRetryMakesItOnce() throws SQLException {
		try (var connection = services().jdbc(); var statement = connection.createStatement()) {
			statement.execute("""
					create function refuse_keys() returns trigger language plpgsql as $$
					begin raise exception 'the key store is failing'; end $$;
					create trigger refuse_keys before insert on idempotency_key
					for each row execute function refuse_keys()""");
		}
		try {
			register("key-atomic", HOUSEHOLD.formatted("011")).expectStatus().is5xxServerError();
			assertThat(householdCount()).as("the household went with its key").isZero();
		}
		finally {
			try (var connection = services().jdbc(); var statement = connection.createStatement()) {
				statement.execute("drop trigger refuse_keys on idempotency_key; drop function refuse_keys()");
			}
		}

		register("key-atomic", HOUSEHOLD.formatted("011")).expectStatus().isCreated();
		register("key-atomic", HOUSEHOLD.formatted("011")).expectStatus()
			.isCreated()
			.expectHeader()
			.valueEquals("Idempotent-Replayed", "true");
		assertThat(householdCount()).isOne();
	}

	@Test
	void aFailedFirstRunIsForgottenSoTheRetryRuns() {
		register("key-4", "{\"number\": \"\", \"headName\": \"张小明\", \"members\": []}").expectStatus().isBadRequest();

		register("key-4", HOUSEHOLD.formatted("004")).expectStatus().isCreated();
		assertThat(householdCount()).isEqualTo(1);
	}

	@Test
	void keysOfDifferentRequestsDoNotCollide() {
		register("key-5", HOUSEHOLD.formatted("005")).expectStatus().isCreated();
		register("key-6", HOUSEHOLD.formatted("006")).expectStatus().isCreated();
		assertThat(householdCount()).isEqualTo(2);
	}

	@Test
	void anUnreasonableKeyIsA400Problem() {
		register("x".repeat(201), HOUSEHOLD.formatted("007")).expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:invalid-idempotency-key");
		assertThat(householdCount()).isZero();
	}

	@Test
	void aStormOfRetriesWithOneKeyRegistersExactlyOneHousehold() {
		List<String> answers = Flux.range(0, 20).flatMap((i) -> Mono.fromCallable(() -> {
			var result = register("key-storm", HOUSEHOLD.formatted("008")).expectBody(String.class).returnResult();
			return result.getStatus().value() + " " + result.getResponseBody();
		}).subscribeOn(Schedulers.boundedElastic()), 20).collectList().block();

		assertThat(householdCount()).isEqualTo(1);
		// Every answer is the one success, its replay, or "still running": never a second
		// run
		// (which would answer household-number-taken).
		assertThat(answers)
			.allSatisfy((answer) -> assertThat(answer).satisfiesAnyOf((text) -> assertThat(text).startsWith("201 "),
					(text) -> assertThat(text).startsWith("409 ").contains("idempotency-request-in-progress")));
		assertThat(answers).anySatisfy((answer) -> assertThat(answer).startsWith("201 "));
		register("key-storm", HOUSEHOLD.formatted("008")).expectStatus()
			.isCreated()
			.expectHeader()
			.valueEquals("Idempotent-Replayed", "true");
	}

	@Test
	void answersAreKeptForTheRetentionAndThenPurged() throws SQLException {
		register("key-fresh", HOUSEHOLD.formatted("009")).expectStatus().isCreated();
		register("key-old", HOUSEHOLD.formatted("010")).expectStatus().isCreated();
		try (var connection = services().jdbc(); var statement = connection.createStatement()) {
			statement.executeUpdate("update idempotency_key set created_at = now() - interval '49 hours' "
					+ "where idem_key = 'key-old'");
		}

		this.filter.purgeExpiredKeys().block();

		assertThat(services().count("select count(*) from idempotency_key where idem_key = 'key-fresh'")).isOne();
		assertThat(services().count("select count(*) from idempotency_key where idem_key = 'key-old'")).isZero();
	}

	private WebTestClient.ResponseSpec register(String key, String body) {
		return this.http.post()
			.uri("/api/v1/villages/{id}/households", this.village.id().value())
			.header("Idempotency-Key", key)
			.header("Authorization", "Bearer " + this.token)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange();
	}

	private long householdCount() {
		return services().count("select count(*) from household");
	}

}
