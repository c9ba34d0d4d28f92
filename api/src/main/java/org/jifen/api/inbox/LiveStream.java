package org.jifen.api.inbox;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

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

	private final ReactiveRedisMessageListenerContainer container;

	private final JsonMapper json;

	LiveStream(ReactiveStringRedisTemplate redis, ReactiveRedisMessageListenerContainer container, JsonMapper json) {
		this.redis = redis;
		this.container = container;
		this.json = json;
	}

	Mono<Void> publish(long userId, LiveEvent event) {
		return this.redis.convertAndSend(channel(userId), this.json.writeValueAsString(event)).then();
	}

	/**
	 * The user's live events; the Mono completes once Redis confirms the subscription, so
	 * a caller can read the inbox afterwards without a gap.
	 */
	Mono<Flux<LiveEvent>> subscribe(long userId) {
		return this.container.receiveLater(ChannelTopic.of(channel(userId)))
			.map((messages) -> messages.map((message) -> {
				JsonNode node = this.json.readTree(message.getMessage());
				JsonNode id = node.get("id");
				return new LiveEvent(node.get("event").asString(), (id == null || id.isNull()) ? null : id.asLong(),
						node.get("data"));
			}));
	}

	private static String channel(long userId) {
		return "jifen:live:user:" + userId;
	}

}
