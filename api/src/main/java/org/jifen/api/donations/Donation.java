package org.jifen.api.donations;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/** One gift of points, as recorded. */
public record Donation(long id, long villageId, long donorHouseholdId, long donorUserId, long recipientHouseholdId,
		@Nullable Long donorMemberId, @Nullable Long recipientMemberId, long kindId, long points,
		@Nullable String message, boolean anonymous, long transactionId, Instant donatedAt) {
}
