package org.jifen.api.ledger;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/** One movement on a household's accounts, newest first in the history. */
public record HistoryEntry(long entryId, long transactionId, Instant occurredAt, String kindCode, String type,
		String memo, long amount, long scoreDelta, @Nullable String requestId) {
}
