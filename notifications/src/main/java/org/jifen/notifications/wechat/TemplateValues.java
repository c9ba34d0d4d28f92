package org.jifen.notifications.wechat;

import java.math.BigDecimal;
import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;

/**
 * Fills template keywords and pages from a notification's arguments, within the limits
 * WeChat sets per kind of keyword, since a value over the limit fails the whole message
 * (errcode 47003).
 */
final class TemplateValues {

	private TemplateValues() {
	}

	/**
	 * Formats the pattern over the arguments, with numbers written plainly.
	 */
	static String format(String pattern, List<Object> arguments) {
		Object[] plain = arguments.stream().map(TemplateValues::plain).toArray();
		return new MessageFormat(pattern, Locale.ROOT).format(plain);
	}

	/**
	 * The value shortened to its keyword's limit: {@code thing} 20 characters (ending in
	 * an ellipsis when cut), {@code character_string} 32, {@code name} 10, {@code phrase}
	 * 5. Other kinds are left to WeChat to judge.
	 */
	static String fitted(String keyword, String value) {
		String kind = keyword.replaceAll("\\d+$", "");
		return switch (kind) {
			case "thing" -> (value.codePointCount(0, value.length()) > 20) ? firstCodePoints(value, 19) + "…" : value;
			case "character_string" -> firstCodePoints(value, 32);
			case "name" -> firstCodePoints(value, 10);
			case "phrase" -> firstCodePoints(value, 5);
			default -> value;
		};
	}

	private static Object plain(Object argument) {
		// WeChat's number keywords accept digits only: no grouping separators.
		if (argument instanceof BigDecimal decimal) {
			return decimal.toPlainString();
		}
		if (argument instanceof Number number) {
			return number.toString();
		}
		return argument;
	}

	private static String firstCodePoints(String value, int count) {
		if (value.codePointCount(0, value.length()) <= count) {
			return value;
		}
		return value.substring(0, value.offsetByCodePoints(0, count));
	}

}
