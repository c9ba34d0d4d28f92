package org.jifen.notifications;

import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * One event to tell one person about, as every channel receives it. The arguments are
 * positional, as {@code {0}}, {@code {1}}… in texts and template fields, and their order
 * for each event type is listed in {@code notifications/messages.properties}.
 *
 * @param eventId the outbox event's id; consumers de-duplicate by it
 * @param type the event type, such as {@code points.posted}
 * @param variant picks one of several texts of a type (such as {@code award} or
 * {@code deduction} for {@code points.posted}), or null when the type has one
 * @param recipient who to tell, and where
 * @param arguments strings and numbers; dates already formatted as the reader should see
 * them; never null
 */
public record Notification(String eventId, String type, @Nullable String variant, Recipient recipient,
		List<Object> arguments) {

	public Notification {
		Objects.requireNonNull(eventId, "eventId");
		Objects.requireNonNull(type, "type");
		Objects.requireNonNull(recipient, "recipient");
		arguments = List.copyOf(arguments);
	}

	/**
	 * A notification of a type with a single text.
	 */
	public Notification(String eventId, String type, Recipient recipient, Object... arguments) {
		this(eventId, type, null, recipient, List.of(arguments));
	}

	/**
	 * The key of this notification's texts: the type, followed by the variant when there
	 * is one ({@code points.posted.award}).
	 */
	public String textKey() {
		return (this.variant != null) ? this.type + "." + this.variant : this.type;
	}

}
