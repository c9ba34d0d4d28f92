package org.jifen.api.inbox;

import reactor.core.publisher.Mono;

import org.jifen.notifications.wechat.SubscriptionConsent;
import org.jifen.notifications.wechat.SubscriptionConsents;

/** Subscribe-message consents kept in PostgreSQL; using one never goes below zero. */
final class WeChatConsents implements SubscriptionConsents {

	private final InboxRepository repository;

	WeChatConsents(InboxRepository repository) {
		this.repository = repository;
	}

	@Override
	public Mono<SubscriptionConsent> find(String openid, String templateId) {
		return this.repository.consentsLeft(openid, templateId)
			.map((remaining) -> new SubscriptionConsent(openid, templateId, remaining));
	}

	@Override
	public Mono<Void> useOne(String openid, String templateId) {
		return this.repository.useConsent(openid, templateId, false);
	}

	@Override
	public Mono<Void> useAll(String openid, String templateId) {
		return this.repository.useConsent(openid, templateId, true);
	}

}
