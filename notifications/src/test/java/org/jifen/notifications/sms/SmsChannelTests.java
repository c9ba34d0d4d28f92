package org.jifen.notifications.sms;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.jifen.notifications.Delivery;
import org.jifen.notifications.Delivery.SkipReason;
import org.jifen.notifications.Notification;
import org.jifen.notifications.NotificationTexts;
import org.jifen.notifications.Recipient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Notifications become text messages in the recipient's language, and only for people
 * with a phone number and events with a text.
 */
class SmsChannelTests {

	private final List<SmsMessage> sent = new ArrayList<>();

	private final SmsChannel channel = new SmsChannel(
			(message) -> Mono.fromRunnable(() -> this.sent.add(message)).thenReturn(Delivery.sent()),
			new NotificationTexts());

	@Test
	void sendsTheBodyInTheRecipientsLanguage() {
		Recipient villager = new Recipient(null, "13812341234", Locale.CHINA);
		Notification award = new Notification("e1", "points.posted", "award", villager, List.of(10, "清扫村道"));
		StepVerifier.create(this.channel.deliver(award)).expectNext(Delivery.sent()).verifyComplete();
		assertThat(this.sent).containsExactly(
				new SmsMessage("13812341234", "points.posted.award", "您家获得 10 积分：清扫村道", List.of(10, "清扫村道")));
	}

	@Test
	void skipsPeopleWithoutAPhoneNumber() {
		Notification award = new Notification("e1", "task.paid", new Recipient("oABC", " ", null), "修路", 5);
		StepVerifier.create(this.channel.deliver(award))
			.expectNext(Delivery.skipped(SkipReason.NO_ADDRESS))
			.verifyComplete();
		assertThat(this.sent).isEmpty();
	}

	@Test
	void skipsEventsWithoutAText() {
		Notification star = new Notification("e1", "star.changed", new Recipient(null, "13812341234", null), 3);
		StepVerifier.create(this.channel.deliver(star))
			.expectNext(Delivery.skipped(SkipReason.NOT_CONFIGURED))
			.verifyComplete();
		assertThat(this.sent).isEmpty();
	}

}
