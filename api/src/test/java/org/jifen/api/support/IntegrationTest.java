package org.jifen.api.support;

import org.junit.jupiter.api.BeforeAll;
import reactor.blockhound.BlockHound;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpHeaders;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The base of every integration test: the whole application on a random port, against the
 * real PostgreSQL and Redis of {@link RealServices}, with BlockHound refusing blocking
 * calls on non-blocking threads. Each test class starts from an empty database and an
 * empty Redis.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "jifen.embedded.enabled=false", "jifen.demo.enabled=false",
				"jifen.identity.jwt.key-file=target/test-keys/jwt-signing-key.pem",
				"jifen.privacy.key-file=target/test-keys/personal-data.keys", "jifen.evidence.dir=target/test-evidence",
				// Tests sign in and post far faster than any person; RateLimitIT sets
				// real
				// budgets.
				"jifen.rate-limits.sign-in=1000000", "jifen.rate-limits.posting=1000000",
				"jifen.rate-limits.code-verification=1000000" })
@AutoConfigureWebTestClient
public abstract class IntegrationTest {

	static {
		// Lettuce guards each connection's writes with a short lock that may park a
		// contending I/O thread for microseconds (redis/lettuce#3880); not a blocking
		// call
		// of ours.
		// Jackson likewise locks its deserializer cache while it builds a type's
		// deserializer, once per type: concurrent first requests of one body type (the
		// fault suite's load) may contend for it for as long.
		BlockHound.install(
				(builder) -> builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "incrementWriters")
					.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "doExclusive")
					.allowBlockingCallsInside("tools.jackson.databind.deser.DeserializerCache",
							"_createAndCacheValueDeserializer"));
	}

	@Autowired
	protected WebTestClient http;

	@DynamicPropertySource
	static void realServices(DynamicPropertyRegistry registry) {
		RealServices services = RealServices.get();
		registry.add("spring.r2dbc.url", services::r2dbcUrl);
		registry.add("spring.r2dbc.username", services::user);
		registry.add("spring.r2dbc.password", services::password);
		registry.add("spring.flyway.url", services::jdbcUrl);
		registry.add("spring.flyway.user", services::user);
		registry.add("spring.flyway.password", services::password);
		registry.add("spring.data.redis.host", services::redisHost);
		registry.add("spring.data.redis.port", services::redisPort);
	}

	@BeforeAll
	static void startFromAnEmptyDatabase() {
		RealServices.get().wipe();
	}

	protected static RealServices services() {
		return RealServices.get();
	}

	/** Reads a JSON answer with a bearer token, expecting 200. */
	protected JsonNode readJson(String token, String path, Object... variables) {
		return this.http.get()
			.uri(path, variables)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
	}

}
