package org.jifen.api.web;

import java.math.BigDecimal;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills a problem detail's named placeholders, such as {@code {available}}, with the
 * problem's extension field of that name. A placeholder without such a field stays as
 * written, and so does everything else: no quoting rules, apostrophes print as they are.
 */
final class ProblemDetails {

	private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z][A-Za-z0-9]*)}");

	private ProblemDetails() {
	}

	static String fill(String template, Map<String, ?> fields) {
		Matcher placeholder = PLACEHOLDER.matcher(template);
		StringBuilder filled = new StringBuilder(template.length() + 16);
		while (placeholder.find()) {
			Object value = fields.get(placeholder.group(1));
			placeholder.appendReplacement(filled,
					Matcher.quoteReplacement((value != null) ? text(value) : placeholder.group()));
		}
		placeholder.appendTail(filled);
		return filled.toString();
	}

	private static String text(Object value) {
		return (value instanceof BigDecimal decimal) ? decimal.toPlainString() : String.valueOf(value);
	}

}
