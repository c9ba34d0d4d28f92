package org.jifen.api.audit;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * One admin change. {@code before} and {@code after} are JSON snapshots of what changed.
 */
public record AuditEntry(long id, long actorUserId, @Nullable Long onBehalfOfMemberId, @Nullable Long regionId,
		String action, String subject, @Nullable String before, @Nullable String after, Instant at) {
}
