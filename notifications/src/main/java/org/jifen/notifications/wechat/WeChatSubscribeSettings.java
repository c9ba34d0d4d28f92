package org.jifen.notifications.wechat;

import java.text.MessageFormat;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * How to reach WeChat and which subscribe message template serves which event type.
 * Absent optional values (null) take the defaults below, so that the application can bind
 * this record from configuration as it is. It has a single constructor on purpose: Spring
 * Boot binds records through their only constructor.
 *
 * @param appId the mini-program's app id
 * @param secret the mini-program's app secret; never printed, not even by
 * {@link #toString()}
 * @param baseUrl WeChat's API, {@value #DEFAULT_BASE_URL} by default; tests point it at a
 * local fake
 * @param miniprogramState which version of the mini-program a tap on the message opens:
 * {@code formal} (default), {@code trial} or {@code developer}
 * @param timeout how long one call to WeChat may take, 5 seconds by default
 * @param tokenRefreshMargin how long before the access token expires a new one is
 * fetched, 5 minutes by default
 * @param templates the template of each event type ({@code points.posted}) or of an event
 * type and variant ({@code points.posted.deduction}, preferred when present); event types
 * without one are skipped. In properties and YAML such keys need brackets
 * ({@code templates[points.posted].id}): without them Spring Boot drops the entry
 * silently
 */
public record WeChatSubscribeSettings(String appId, String secret, String baseUrl, String miniprogramState,
		Duration timeout, Duration tokenRefreshMargin, Map<String, Template> templates) {

	/** WeChat's public API. */
	public static final String DEFAULT_BASE_URL = "https://api.weixin.qq.com";

	public WeChatSubscribeSettings {
		Objects.requireNonNull(appId, "appId");
		Objects.requireNonNull(secret, "secret");
		baseUrl = Objects.requireNonNullElse(baseUrl, DEFAULT_BASE_URL);
		miniprogramState = Objects.requireNonNullElse(miniprogramState, "formal");
		timeout = Objects.requireNonNullElse(timeout, Duration.ofSeconds(5));
		tokenRefreshMargin = Objects.requireNonNullElse(tokenRefreshMargin, Duration.ofMinutes(5));
		templates = (templates != null) ? Map.copyOf(templates) : Map.of();
	}

	/**
	 * The template for a notification's text key, or else for its event type.
	 */
	@Nullable Template templateFor(String textKey, String type) {
		Template specific = this.templates.get(textKey);
		return (specific != null) ? specific : this.templates.get(type);
	}

	@Override
	public String toString() {
		return "WeChatSubscribeSettings[appId=" + this.appId + ", secret=******, baseUrl=" + this.baseUrl
				+ ", miniprogramState=" + this.miniprogramState + ", timeout=" + this.timeout + ", tokenRefreshMargin="
				+ this.tokenRefreshMargin + ", templates=" + this.templates + "]";
	}

	/**
	 * One subscribe message template, as chosen in the mini-program's admin console.
	 *
	 * @param id the template id
	 * @param page the mini-program page a tap opens, such as {@code pages/points/index};
	 * may refer to the notification's arguments like the fields; no page when null
	 * @param fields each template keyword ({@code thing1}, {@code number2},
	 * {@code time3}) with a {@link MessageFormat} pattern over the notification's
	 * arguments, usually just {@code {0}}; numbers are written plainly (no grouping), as
	 * WeChat's {@code number} keywords accept digits only
	 */
	public record Template(String id, @Nullable String page, Map<String, String> fields) {

		/**
		 * @throws IllegalArgumentException when the page or a field is not a valid
		 * {@link MessageFormat} pattern, so that bad configuration fails at start-up
		 */
		public Template {
			Objects.requireNonNull(id, "id");
			fields = (fields != null) ? Map.copyOf(fields) : Map.of();
			// Parsed here only to fail on a bad pattern now rather than at the first
			// send.
			if (page != null) {
				new MessageFormat(page);
			}
			fields.values().forEach(MessageFormat::new);
		}

	}

}
