package org.jifen.api.inbox;

import org.jspecify.annotations.Nullable;

/**
 * One message on a user's live stream: {@code notification} (with the inbox id, which is
 * the SSE event id a client resumes from), {@code balance}, or later {@code rank}.
 */
record LiveEvent(String event, @Nullable Long id, Object data) {
}
