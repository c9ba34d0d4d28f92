package org.jifen.notifications.sms;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.jifen.notifications.Delivery;

/**
 * Writes text messages to the log instead of sending them, for development and tests
 * until an SMS provider is configured. The phone number is masked.
 */
public final class LoggingSmsSender implements SmsSender {

	private static final Logger log = LoggerFactory.getLogger(LoggingSmsSender.class);

	@Override
	public Mono<Delivery> send(SmsMessage message) {
		return Mono
			.fromRunnable(() -> log.info("SMS to {} [{}]: {}", PhoneNumbers.mask(message.phoneNumber()),
					message.textKey(), message.text()))
			.thenReturn(Delivery.sent());
	}

}
