package org.jifen.notifications;

import reactor.core.publisher.Mono;

/**
 * A way of reaching people (WeChat subscribe messages, SMS), called by the outbox relay
 * once per notification and channel. Delivery is at least once: the relay may call again
 * with the same event id after a retryable failure or a crash.
 */
public interface NotificationChannel {

	/**
	 * A short stable name for the relay's bookkeeping, such as {@code wechat} or
	 * {@code sms}.
	 */
	String name();

	/**
	 * Tries to deliver the notification. Expected outcomes, failures included, come back
	 * as a {@link Delivery}; an error signal means something unexpected (a store the
	 * channel needs is down) and is best treated as a retryable failure.
	 */
	Mono<Delivery> deliver(Notification notification);

}
