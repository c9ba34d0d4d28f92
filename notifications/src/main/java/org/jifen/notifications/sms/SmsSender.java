package org.jifen.notifications.sms;

import reactor.core.publisher.Mono;

import org.jifen.notifications.Delivery;

/**
 * Sends text messages through a provider. Like a channel, it answers expected outcomes
 * (sent, provider busy, number refused) as a {@link Delivery} rather than an error.
 */
public interface SmsSender {

	Mono<Delivery> send(SmsMessage message);

}
