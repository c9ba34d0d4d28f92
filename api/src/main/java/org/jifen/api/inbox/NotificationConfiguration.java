package org.jifen.api.inbox;

import java.time.Clock;
import java.util.List;
import java.util.Locale;

import org.jifen.notifications.NotificationChannel;
import org.jifen.notifications.NotificationTexts;
import org.jifen.notifications.sms.LoggingSmsSender;
import org.jifen.notifications.sms.SmsChannel;
import org.jifen.notifications.sms.SmsSender;
import org.jifen.notifications.wechat.WeChatSubscribeMessages;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The channels of the notifications module, wired to this application. */
@Configuration(proxyBeanMethods = false)
class NotificationConfiguration {

	/**
	 * The texts, with both bundles read now: reading them later would read the jar on an
	 * event loop.
	 */
	@Bean
	NotificationTexts notificationTexts() {
		NotificationTexts texts = new NotificationTexts();
		for (Locale locale : List.of(NotificationTexts.DEFAULT_LOCALE, Locale.ENGLISH)) {
			texts.render("points.posted.award", locale, 1, "");
		}
		return texts;
	}

	/** Logs messages until a real SMS gateway is contracted (see docs/decisions.md). */
	@Bean
	@ConditionalOnMissingBean
	SmsSender smsSender() {
		return new LoggingSmsSender();
	}

	@Bean
	NotificationChannel smsChannel(SmsSender sender, NotificationTexts texts) {
		return new SmsChannel(sender, texts);
	}

	@Bean
	@ConditionalOnProperty("jifen.notifications.wechat.app-id")
	NotificationChannel weChatChannel(InboxProperties properties, InboxRepository repository, Clock clock) {
		return new WeChatSubscribeMessages(properties.wechat(), new WeChatConsents(repository), clock);
	}

}
