package org.jifen.api.shared;

import java.util.Map;

/**
 * A broken rule, signalled by domain code without any knowledge of HTTP. The {@code type}
 * is a stable slug clients may switch on (for example {@code insufficient-points}); the
 * {@code arguments} fill the localized message and are published as extension fields.
 */
public class DomainException extends RuntimeException {

	/** What kind of refusal this is; the web layer maps each to a status. */
	public enum Kind {

		/** The thing asked for does not exist (or is not visible to the caller). */
		NOT_FOUND,
		/** The request collides with the current state: taken, used, stale. */
		CONFLICT,
		/** Understood, but a rule refuses it: not enough points, cap reached. */
		REFUSED,
		/** The request itself is malformed. */
		MALFORMED,
		/**
		 * The caller is not (or no longer) known: no token, a bad one, wrong credentials.
		 */
		UNAUTHENTICATED,
		/** The caller is known but may not do this here. */
		FORBIDDEN,
		/** The caller must wait before trying again. */
		THROTTLED,
		/** Something we depend on is not answering; retrying later may work. */
		UNAVAILABLE

	}

	private final Kind kind;

	private final String type;

	private final Map<String, Object> arguments;

	public DomainException(Kind kind, String type, String message, Map<String, Object> arguments) {
		super(message);
		this.kind = kind;
		this.type = type;
		this.arguments = Map.copyOf(arguments);
	}

	public DomainException(Kind kind, String type, String message) {
		this(kind, type, message, Map.of());
	}

	public Kind kind() {
		return this.kind;
	}

	public String type() {
		return this.type;
	}

	public Map<String, Object> arguments() {
		return this.arguments;
	}

}
