package org.jifen.notifications;

import java.text.MessageFormat;
import java.util.Locale;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/**
 * Renders notifications into text from the bundle {@code notifications/messages}:
 * simplified Chinese by default, English for readers whose locale is English. Each text
 * key ({@link Notification#textKey()}) has a {@code .title} and a {@code .body}, both
 * {@link MessageFormat} patterns over the notification's arguments.
 */
public final class NotificationTexts {

	/** The language of readers who did not choose one. */
	public static final Locale DEFAULT_LOCALE = Locale.SIMPLIFIED_CHINESE;

	private static final String BUNDLE = "notifications.messages";

	// Without this, a reader asking for Chinese would get the JVM's default locale's
	// bundle (English on many servers) instead of the Chinese base bundle.
	private static final ResourceBundle.Control NO_FALLBACK = ResourceBundle.Control
		.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES);

	/**
	 * Whether the bundle has texts for this key.
	 */
	public boolean has(String textKey) {
		return bundle(DEFAULT_LOCALE).containsKey(textKey + ".title");
	}

	/**
	 * The notification's texts in its recipient's language.
	 * @throws MissingResourceException when the bundle has no texts for its key
	 */
	public NotificationText render(Notification notification) {
		return render(notification.textKey(), notification.recipient().locale(), notification.arguments().toArray());
	}

	/**
	 * The texts of a key in a language.
	 * @param textKey an event type, or an event type and variant
	 * ({@code points.posted.award})
	 * @param locale the reader's language; languages without a bundle get Chinese
	 * @param arguments the values of {@code {0}}, {@code {1}}…
	 * @throws MissingResourceException when the bundle has no texts for the key
	 */
	public NotificationText render(String textKey, Locale locale, Object... arguments) {
		ResourceBundle bundle = bundle(locale);
		return new NotificationText(format(bundle, textKey + ".title", arguments),
				format(bundle, textKey + ".body", arguments));
	}

	private static String format(ResourceBundle bundle, String key, Object[] arguments) {
		// The base bundle is Chinese, though its locale is the root locale.
		Locale language = bundle.getLocale().equals(Locale.ROOT) ? DEFAULT_LOCALE : bundle.getLocale();
		return new MessageFormat(bundle.getString(key), language).format(arguments);
	}

	private static ResourceBundle bundle(Locale locale) {
		// ResourceBundle caches bundles itself, and reads properties files as UTF-8.
		return ResourceBundle.getBundle(BUNDLE, locale, NotificationTexts.class.getClassLoader(), NO_FALLBACK);
	}

}
