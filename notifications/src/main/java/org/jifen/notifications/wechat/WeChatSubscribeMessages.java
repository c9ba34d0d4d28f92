package org.jifen.notifications.wechat;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.jifen.notifications.Delivery;
import org.jifen.notifications.Delivery.SkipReason;
import org.jifen.notifications.Notification;
import org.jifen.notifications.NotificationChannel;
import org.jifen.notifications.wechat.AccessTokens.AccessToken;
import org.jifen.notifications.wechat.WeChatSubscribeSettings.Template;

/**
 * Notifications as WeChat subscribe messages (订阅消息), through
 * {@code POST /cgi-bin/message/subscribe/send}. A message goes out only when the event
 * type has a template, the recipient has an openid, and they have a consent left for the
 * template; otherwise nothing is asked of WeChat. WeChat's error codes become
 * {@link Delivery} values: a rejected access token is replaced and the send tried once
 * more; a refused subscription uses up the consent; busy, unreachable or slow is worth
 * retrying; a bad argument, template or openid never will be.
 */
public final class WeChatSubscribeMessages implements NotificationChannel {

	private static final Logger log = LoggerFactory.getLogger(WeChatSubscribeMessages.class);

	/**
	 * 40001 invalid credential, 42001 access token expired, 40014 invalid access token.
	 */
	private static final Set<Integer> TOKEN_REJECTED = Set.of(40001, 42001, 40014);

	/** 45009 daily quota, 45011 per-minute quota: later will do. */
	private static final Set<Integer> QUOTA_REACHED = Set.of(45009, 45011);

	private static final int SYSTEM_BUSY = -1;

	/** The user refused the template, or has no consent left for it. */
	private static final int USER_REFUSED = 43101;

	private final WeChatSubscribeSettings settings;

	private final SubscriptionConsents consents;

	private final WeChatHttp http;

	private final AccessTokens tokens;

	/**
	 * @param settings credentials, templates and limits
	 * @param consents the users' consents, asked before and told after each send
	 * @param clock tells when the access token runs out
	 */
	public WeChatSubscribeMessages(WeChatSubscribeSettings settings, SubscriptionConsents consents, Clock clock) {
		this.settings = settings;
		this.consents = consents;
		this.http = new WeChatHttp(settings.baseUrl(), settings.timeout(), JsonMapper.builder().build());
		this.tokens = new AccessTokens(this.http, settings, clock);
	}

	@Override
	public String name() {
		return "wechat";
	}

	@Override
	public Mono<Delivery> deliver(Notification notification) {
		return Mono.defer(() -> {
			Template template = this.settings.templateFor(notification.textKey(), notification.type());
			if (template == null) {
				return Mono.just(Delivery.skipped(SkipReason.NOT_CONFIGURED));
			}
			String openid = notification.recipient().openid();
			if (openid == null) {
				return Mono.just(Delivery.skipped(SkipReason.NO_ADDRESS));
			}
			return this.consents.find(openid, template.id())
				.filter(SubscriptionConsent::allowsOneMore)
				.flatMap((consent) -> send(notification, openid, template))
				.defaultIfEmpty(Delivery.skipped(SkipReason.NO_CONSENT))
				.doOnNext((delivery) -> log.debug("WeChat subscribe message for event {} ({}): {}",
						notification.eventId(), notification.textKey(), delivery));
		});
	}

	private Mono<Delivery> send(Notification notification, String openid, Template template) {
		Map<String, Object> message;
		try {
			message = message(notification, openid, template);
		}
		catch (IllegalArgumentException ex) {
			// A pattern that does not fit the arguments, such as {0,number} over text.
			return Mono.just(Delivery.permanent("The fields of template " + template.id()
					+ " do not fit the arguments of " + notification.textKey() + ": " + ex.getMessage()));
		}
		return this.tokens.current().flatMap((token) -> post(token, message).flatMap((answer) -> {
			if (TOKEN_REJECTED.contains(errcode(answer))) {
				// Once only: a second rejection is reported below as a retryable failure.
				this.tokens.rejected(token);
				return this.tokens.current().flatMap((fresh) -> post(fresh, message));
			}
			return Mono.just(answer);
		}))
			.flatMap((answer) -> outcome(answer, openid, template))
			.onErrorResume(WeChatUnavailable.class, (error) -> Mono.just(Delivery.retryable(error.getMessage())));
	}

	private Mono<JsonNode> post(AccessToken token, Map<String, Object> message) {
		return this.http.post("/cgi-bin/message/subscribe/send", Map.of("access_token", token.value()), message);
	}

	private Mono<Delivery> outcome(JsonNode answer, String openid, Template template) {
		int errcode = errcode(answer);
		String reason = "WeChat errcode " + errcode + ": " + answer.path("errmsg").asString("");
		if (errcode == 0) {
			return this.consents.useOne(openid, template.id())
				.onErrorResume((error) -> consentNotRecorded(template, error))
				.thenReturn(Delivery.sent());
		}
		if (errcode == USER_REFUSED) {
			return this.consents.useAll(openid, template.id())
				.onErrorResume((error) -> consentNotRecorded(template, error))
				.thenReturn(Delivery.skipped(SkipReason.CONSENT_USED_UP));
		}
		if (TOKEN_REJECTED.contains(errcode) || errcode == SYSTEM_BUSY || QUOTA_REACHED.contains(errcode)) {
			return Mono.just(Delivery.retryable(reason));
		}
		// 40003 invalid openid, 40037 invalid template id, 41030 invalid page,
		// 47003 invalid argument, and codes we do not know: the same message would
		// fail the same way again.
		return Mono.just(Delivery.permanent(reason));
	}

	private static Mono<Void> consentNotRecorded(Template template, Throwable error) {
		// What WeChat did stands: failing here would make the relay send again.
		log.warn("Could not record the use of a consent to template {}", template.id(), error);
		return Mono.empty();
	}

	private Map<String, Object> message(Notification notification, String openid, Template template) {
		Map<String, Object> data = new LinkedHashMap<>();
		template.fields()
			.forEach((keyword, pattern) -> data.put(keyword, Map.of("value",
					TemplateValues.fitted(keyword, TemplateValues.format(pattern, notification.arguments())))));
		Map<String, Object> message = new LinkedHashMap<>();
		message.put("touser", openid);
		message.put("template_id", template.id());
		if (template.page() != null) {
			message.put("page", TemplateValues.format(template.page(), notification.arguments()));
		}
		message.put("data", data);
		message.put("miniprogram_state", this.settings.miniprogramState());
		message.put("lang", language(notification.recipient().locale()));
		return message;
	}

	/**
	 * WeChat's language of the "open the mini-program" link: one of its four.
	 */
	private static String language(Locale locale) {
		if (locale.getLanguage().equals("en")) {
			return "en_US";
		}
		if (locale.getLanguage().equals("zh") && locale.getCountry().equals("HK")) {
			return "zh_HK";
		}
		if (locale.getLanguage().equals("zh")
				&& (locale.getCountry().equals("TW") || locale.getScript().equals("Hant"))) {
			return "zh_TW";
		}
		return "zh_CN";
	}

	private static int errcode(JsonNode answer) {
		return answer.path("errcode").asInt(0);
	}

}
