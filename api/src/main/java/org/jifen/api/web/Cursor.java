package org.jifen.api.web;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;

/**
 * An opaque position in a list: clients hand back what they were given and never build
 * one. It wraps the sort key of the last item seen.
 */
public final class Cursor {

	private static final String VERSION = "v1:";

	private Cursor() {
	}

	public static String encode(long lastId) {
		return Base64.getUrlEncoder()
			.withoutPadding()
			.encodeToString((VERSION + lastId).getBytes(StandardCharsets.UTF_8));
	}

	/** The sort key inside a cursor; a cursor the API did not make is a 400 problem. */
	public static long decode(String cursor) {
		try {
			String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
			if (!text.startsWith(VERSION)) {
				throw invalid();
			}
			return Long.parseLong(text.substring(VERSION.length()));
		}
		catch (IllegalArgumentException ex) {
			throw invalid();
		}
	}

	private static DomainException invalid() {
		return new DomainException(Kind.MALFORMED, "invalid-cursor",
				"The cursor is not one this API handed out; start again without it.");
	}

}
