package org.jifen.notifications.sms;

import reactor.core.publisher.Mono;

import org.jifen.notifications.Delivery;
import org.jifen.notifications.Delivery.SkipReason;
import org.jifen.notifications.Notification;
import org.jifen.notifications.NotificationChannel;
import org.jifen.notifications.NotificationTexts;

/**
 * Notifications as text messages: the body of the notification's text in the recipient's
 * language. Recipients without a phone number, and event types without a text, are
 * skipped.
 */
public final class SmsChannel implements NotificationChannel {

	private final SmsSender sender;

	private final NotificationTexts texts;

	public SmsChannel(SmsSender sender, NotificationTexts texts) {
		this.sender = sender;
		this.texts = texts;
	}

	@Override
	public String name() {
		return "sms";
	}

	@Override
	public Mono<Delivery> deliver(Notification notification) {
		return Mono.defer(() -> {
			String phoneNumber = notification.recipient().phoneNumber();
			if (phoneNumber == null) {
				return Mono.just(Delivery.skipped(SkipReason.NO_ADDRESS));
			}
			if (!this.texts.has(notification.textKey())) {
				return Mono.just(Delivery.skipped(SkipReason.NOT_CONFIGURED));
			}
			String body = this.texts.render(notification).body();
			return this.sender
				.send(new SmsMessage(phoneNumber, notification.textKey(), body, notification.arguments()));
		});
	}

}
