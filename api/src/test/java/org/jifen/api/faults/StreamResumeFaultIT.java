package org.jifen.api.faults;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.util.retry.Retry;
import tools.jackson.databind.JsonNode;

import org.jifen.api.embedded.EmbeddedRedis;
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
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The live stream across a Redis restart: a client holds the notifications stream open
 * while the household is awarded points again and again; Redis goes away and comes back
 * (empty) meanwhile. The client does what a browser's EventSource does: when the stream
 * ends it reconnects with {@code Last-Event-ID}, and while the stream cannot start (503)
 * it tries again shortly. In the end it has received every notification of the inbox
 * exactly once, in order.
 */
class StreamResumeFaultIT extends IntegrationTest {

	private static final ParameterizedTypeReference<ServerSentEvent<JsonNode>> EVENT = new ParameterizedTypeReference<>() {
	};

	private static EmbeddedRedis redis = EmbeddedRedis.start();

	@DynamicPropertySource
	static void ownRedis(DynamicPropertyRegistry registry) {
		int port = redis.port();
		registry.add("spring.data.redis.url", () -> "redis://127.0.0.1:" + port);
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@LocalServerPort
	private int port;

	@Autowired
	private Villages villages;

	@Autowired
	private Accounts accounts;

	@Autowired
	private Ledger ledger;

	@Autowired
	private PointKinds kinds;

	@Test
	void theStreamReconnectsWithLastEventIdAndMissesNothingAcrossARedisRestart() {
		Region village = Fixtures.village(this.villages, "stream-fault");
		Household household = Fixtures.registered(this.villages, village, Fixtures.household("001", "张小明"));
		String villager = SignedIn.villager(this.http, this.accounts, "stream-fault", household.members().get(0).id());
		long userId = services()
			.ids("select id from app_user where member_id = ?", household.members().get(0).id().value())
			.getFirst();

		List<Long> received = new CopyOnWriteArrayList<>();
		AtomicLong lastEventId = new AtomicLong();
		AtomicInteger connections = new AtomicInteger();
		AtomicInteger refusals = new AtomicInteger();
		AtomicInteger live = new AtomicInteger();
		WebClient client = WebClient.create("http://localhost:" + this.port);
		Disposable stream = Flux.defer(() -> {
			connections.incrementAndGet();
			return client.get()
				.uri("/api/v1/me/stream")
				.header(HttpHeaders.AUTHORIZATION, "Bearer " + villager)
				.headers((headers) -> {
					if (lastEventId.get() > 0) {
						headers.set("Last-Event-ID", String.valueOf(lastEventId.get()));
					}
				})
				.accept(MediaType.TEXT_EVENT_STREAM)
				.retrieve()
				.bodyToFlux(EVENT)
				.doOnError((error) -> refusals.incrementAndGet());
		}).doOnNext((event) -> {
			if ("connected".equals(event.comment())) {
				live.incrementAndGet();
			}
		}).filter((event) -> "notification".equals(event.event())).doOnNext((event) -> {
			long id = Long.parseLong(event.id());
			received.add(id);
			lastEventId.set(id);
		})
			// EventSource: reconnect when the stream ends, and shortly after a refusal.
			.repeatWhen((ended) -> ended.delayElements(Duration.ofMillis(300)))
			.retryWhen(Retry.fixedDelay(Long.MAX_VALUE, Duration.ofMillis(300)))
			.subscribe();

		// A client without Last-Event-ID hears only what comes after it is connected.
		await().atMost(Duration.ofSeconds(20)).until(() -> live.get() == 1);
		AtomicBoolean awarding = new AtomicBoolean(true);
		AtomicInteger awards = new AtomicInteger();
		Thread awarder = Thread.ofPlatform().start(() -> {
			while (awarding.get()) {
				Fixtures.award(this.ledger, this.kinds, village, household, 1, "第" + awards.incrementAndGet() + "次");
				Traffic.pause(Duration.ofMillis(150));
			}
		});
		try {
			await().atMost(Duration.ofSeconds(20)).until(() -> received.size() >= 5);
			redis.close();
			Traffic.pause(Duration.ofSeconds(4));
			redis = EmbeddedRedis.start(redis.port());
			Traffic.pause(Duration.ofSeconds(4));
		}
		finally {
			awarding.set(false);
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> !awarder.isAlive());

		System.out.println("Stream across the Redis restart: " + awards.get() + " awards, " + connections.get()
				+ " connections (" + live.get() + " went live), " + refusals.get() + " ended in an error");
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
			List<Long> inbox = services().ids("select id from notification where user_id = ? order by id", userId);
			assertThat(inbox).as("one notification an award").hasSize(awards.get());
			assertThat(received).as("received on the stream, in order, once each").isEqualTo(inbox);
		});
		stream.dispose();
		assertThat(live.get()).as("streams that went live: the first, and one resumed after the restart")
			.isGreaterThanOrEqualTo(2);
	}

}
