package org.jifen.api.inbox;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import io.lettuce.core.event.Event;
import io.lettuce.core.event.connection.ConnectionDeactivatedEvent;
import io.lettuce.core.resource.ClientResources;
import jakarta.annotation.PreDestroy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;
import org.springframework.stereotype.Component;

/**
 * The fan-out behind the live stream: whichever instance's relay handles an event
 * publishes it on the user's Redis channel, and every instance holding a stream of that
 * user passes it on. Redis keeps nothing here; what a stream missed comes from the inbox.
 */
@Component
class LiveStream {

	private final ReactiveStringRedisTemplate redis;

	/**
	 * Made on first use, off the event loop (its constructor connects to Redis), so that
	 * the application starts while Redis is down; a failed attempt is tried again next
	 * time.
	 */
	private final Mono<ReactiveRedisMessageListenerContainer> container;

	private final AtomicReference<ReactiveRedisMessageListenerContainer> made = new AtomicReference<>();

	private final JsonMapper json;

	private final Flux<Event> clientEvents;

	LiveStream(ReactiveStringRedisTemplate redis, ReactiveRedisConnectionFactory connections, JsonMapper json,
			ClientResources resources) {
		this.redis = redis;
		this.json = json;
		this.clientEvents = resources.eventBus().get();
		this.container = Mono.fromCallable(() -> {
			ReactiveRedisMessageListenerContainer created = new ReactiveRedisMessageListenerContainer(connections);
			this.made.set(created);
			return created;
		})
			.subscribeOn(Schedulers.boundedElastic())
			.cache((created) -> Duration.ofDays(3650), (failed) -> Duration.ZERO, () -> Duration.ZERO);
	}

	Mono<Void> publish(long userId, LiveEvent event) {
		// Subscribed off the event loop: the first use of the template's shared
		// connection
		// connects to Redis, blocking, and may happen at any time if Redis was down at
		// start.
		String message = this.json.writeValueAsString(event);
		return Mono.defer(() -> this.redis.convertAndSend(channel(userId), message))
			.subscribeOn(Schedulers.boundedElastic())
			// Carry on off Lettuce's I/O thread.
			.publishOn(Schedulers.parallel())
			.then();
	}

	/**
	 * The user's live events; the Mono completes once Redis confirms the subscription, so
	 * a caller can read the inbox afterwards without a gap.
	 */
	Mono<Flux<LiveEvent>> subscribe(long userId) {
		return this.container.flatMap((listener) -> listener.receiveLater(ChannelTopic.of(channel(userId))))
			.map((messages) -> messages.map((message) -> {
				JsonNode node = this.json.readTree(message.getMessage());
				JsonNode id = node.get("id");
				return new LiveEvent(node.get("event").asString(), (id == null || id.isNull()) ? null : id.asLong(),
						node.get("data"));
			}));
	}

	/**
	 * Completes when one of the Redis connections of the application's client drops. A
	 * subscription may then have missed messages (Redis keeps none for an absent
	 * subscriber, and Lettuce resubscribes on reconnecting without saying so), so an open
	 * stream ends: its client reconnects with {@code Last-Event-ID} and reads what it
	 * missed from the inbox.
	 */
	Mono<Void> lost() {
		return this.clientEvents.ofType(ConnectionDeactivatedEvent.class).next().then();
	}

	@PreDestroy
	void close() {
		ReactiveRedisMessageListenerContainer created = this.made.get();
		if (created != null) {
			created.destroyLater().subscribe();
		}
	}

	private static String channel(long userId) {
		return "jifen:live:user:" + userId;
	}

}
