package org.jifen.notifications.wechat;

import reactor.core.publisher.Mono;

/**
 * Where users' subscribe message consents are kept (the application records a consent
 * whenever the mini-program reports an "accept"). The adapter asks before each send, and
 * reports what a send used up. Between the two, another sender may use the same consent;
 * WeChat then answers that no consent is left, which the adapter reports as such.
 */
public interface SubscriptionConsents {

	/**
	 * The user's consent to the template, or empty if they never gave one.
	 */
	Mono<SubscriptionConsent> find(String openid, String templateId);

	/**
	 * A message of the template was sent to the user, using one consent.
	 */
	Mono<Void> useOne(String openid, String templateId);

	/**
	 * WeChat says the user has no consent left for the template (they refused, or WeChat
	 * counted differently): no more messages until they accept again.
	 */
	Mono<Void> useAll(String openid, String templateId);

}
