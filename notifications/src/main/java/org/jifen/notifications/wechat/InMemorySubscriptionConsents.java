package org.jifen.notifications.wechat;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import reactor.core.publisher.Mono;

/**
 * Consents in memory, for development and tests; they are lost on restart and not shared
 * between instances.
 */
public final class InMemorySubscriptionConsents implements SubscriptionConsents {

	private final Map<Key, Integer> remaining = new ConcurrentHashMap<>();

	/**
	 * The user accepted the template this many more times.
	 */
	public void grant(String openid, String templateId, int times) {
		this.remaining.merge(new Key(openid, templateId), times, Integer::sum);
	}

	@Override
	public Mono<SubscriptionConsent> find(String openid, String templateId) {
		return Mono.fromSupplier(() -> this.remaining.get(new Key(openid, templateId)))
			.map((count) -> new SubscriptionConsent(openid, templateId, count));
	}

	@Override
	public Mono<Void> useOne(String openid, String templateId) {
		return Mono.fromRunnable(() -> this.remaining.computeIfPresent(new Key(openid, templateId),
				(key, count) -> Math.max(0, count - 1)));
	}

	@Override
	public Mono<Void> useAll(String openid, String templateId) {
		return Mono.fromRunnable(() -> this.remaining.computeIfPresent(new Key(openid, templateId), (key, count) -> 0));
	}

	private record Key(String openid, String templateId) {
	}

}
