package org.jifen.api.inbox;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A notification as the inbox keeps it: the text is rendered when read, in the reader's
 * language.
 */
record StoredNotification(long id, long userId, long eventId, String type, @Nullable String variant,
		List<Object> arguments, Instant createdAt, @Nullable Instant readAt) {

	String textKey() {
		return (this.variant != null) ? this.type + "." + this.variant : this.type;
	}

}
