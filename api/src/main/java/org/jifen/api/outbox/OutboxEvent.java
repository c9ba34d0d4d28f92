package org.jifen.api.outbox;

import java.time.Instant;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** One event from the outbox, as consumers see it. Its id is the de-duplication key. */
public record OutboxEvent(long id, String type, @Nullable Long villageId, JsonNode payload, Instant createdAt,
		int attempts) {

}
