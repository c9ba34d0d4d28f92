package org.jifen.api.identity;

import org.jspecify.annotations.Nullable;

/**
 * The characters Spring Security's strict firewall allows in header names and values
 * ({@code [\p{IsAssigned}&&[^\p{IsControl}]]*}, and a tab in values), checked code point
 * by code point. Printable ASCII, nearly every header, passes without a table lookup.
 */
final class HeaderCharacters {

	private HeaderCharacters() {
	}

	static boolean allowedName(@Nullable String name) {
		return name == null || allowed(name, false);
	}

	/**
	 * A header without a value (null) is allowed, as the firewall's own check allows it.
	 */
	static boolean allowedValue(@Nullable String value) {
		return value == null || allowed(value, true);
	}

	private static boolean allowed(String text, boolean tabAllowed) {
		int length = text.length();
		int i = 0;
		while (i < length) {
			char c = text.charAt(i);
			if (c >= 0x20 && c < 0x7f) {
				i++;
				continue;
			}
			int codePoint = text.codePointAt(i);
			boolean allowed = (codePoint == '\t') ? tabAllowed
					: Character.isDefined(codePoint) && !Character.isISOControl(codePoint);
			if (!allowed) {
				return false;
			}
			i += Character.charCount(codePoint);
		}
		return true;
	}

}
