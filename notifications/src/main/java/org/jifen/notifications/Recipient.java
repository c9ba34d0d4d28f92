package org.jifen.notifications;

import java.util.Locale;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Where one person can be reached, and in which language. A channel without an address
 * for the person skips the notification.
 *
 * @param openid the person's openid in the mini-program, for WeChat subscribe messages
 * @param phoneNumber the person's mobile number, for SMS
 * @param locale the language of texts; simplified Chinese when not given
 */
public record Recipient(@Nullable String openid, @Nullable String phoneNumber, Locale locale) {

	public Recipient {
		openid = blankToNull(openid);
		phoneNumber = blankToNull(phoneNumber);
		// Callers may pass a locale they could not determine.
		locale = Objects.requireNonNullElse(locale, NotificationTexts.DEFAULT_LOCALE);
	}

	private static @Nullable String blankToNull(@Nullable String value) {
		return (value == null || value.isBlank()) ? null : value.strip();
	}

}
