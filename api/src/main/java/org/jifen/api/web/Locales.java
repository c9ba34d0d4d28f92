package org.jifen.api.web;

import java.util.List;
import java.util.Locale;

import org.springframework.web.server.ServerWebExchange;

/**
 * The language of a response: Simplified Chinese unless the caller asks for English.
 */
public final class Locales {

	static final Locale DEFAULT = Locale.SIMPLIFIED_CHINESE;

	static final List<Locale> SUPPORTED = List.of(Locale.SIMPLIFIED_CHINESE, Locale.ENGLISH);

	private Locales() {
	}

	public static Locale of(ServerWebExchange exchange) {
		try {
			List<Locale.LanguageRange> ranges = Locale.LanguageRange
				.parse(String.join(",", exchange.getRequest().getHeaders().getOrEmpty("Accept-Language")));
			List<Locale> matches = Locale.filter(ranges, SUPPORTED);
			return matches.isEmpty() ? DEFAULT : matches.get(0);
		}
		catch (IllegalArgumentException ex) {
			return DEFAULT;
		}
	}

}
