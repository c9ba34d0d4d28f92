package org.jifen.api.merchants;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import org.jifen.api.ledger.PointKind;

/**
 * One use of a code at a merchant. HELD (points held in settlement, waiting for the till)
 * → CAPTURED (confirmed) → maybe REVERSED within the window; or HELD → VOIDED (not
 * confirmed in time, or cancelled at the till). Money in fen. {@code paidBy}: whose
 * account the points came from and go back to: the household's, or the member's for a
 * member-owned kind (爱心存折).
 */
public record Redemption(long id, long merchantId, long offerId, long villageId, long householdId, long memberId,
		long kindId, PointKind.Owner paidBy, String via, long points, long billFen, long discountFen, long payableFen,
		boolean villageSubsidised, Status status, long staffUserId, Instant heldAt, Instant holdExpiresAt,
		@Nullable Instant capturedAt, @Nullable Instant voidedAt, @Nullable Instant reversedAt) {

	public enum Status {

		HELD, CAPTURED, VOIDED, REVERSED

	}

}
