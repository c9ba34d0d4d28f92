/**
 * The transactional outbox and its relay: features append events in their own
 * transaction; the relay hands each event to every
 * {@link org.jifen.api.outbox.OutboxConsumer} at least once, in order per village, with
 * retries, back-off and a dead-letter state.
 */
@NullMarked
package org.jifen.api.outbox;

import org.jspecify.annotations.NullMarked;
