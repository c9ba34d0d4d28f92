package org.jifen.api.claims;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A claim for points, or a deduction, on its way to the ledger. It always names the exact
 * catalog version it was scored under.
 */
public record Claim(long id, long villageId, long householdId, long itemId, int points, Source source,
		String description, Status status, long submittedBy, @Nullable Long onBehalfOf, @Nullable Long decidedBy,
		@Nullable String decisionReason, @Nullable Instant rectifyBy, @Nullable Instant noticeEndsAt,
		@Nullable Long transactionId, Instant createdAt) {

	/** Where a claim comes from. */
	public enum Source {

		/** 自荐: the household reports its own good deed. */
		SELF_REPORT,
		/** 群众评荐: a neighbour recommends a household. */
		NEIGHBOUR,
		/** 组织推荐 / 网格员采集: the village organisation or a grid worker records it. */
		ORGANISATION,
		/** The system itself: a completed task, recycling weighed. */
		SYSTEM

	}

	/** Where a claim stands. */
	public enum Status {

		SUBMITTED, REJECTED, RECTIFICATION, RECTIFIED, IN_NOTICE, OBJECTED, EFFECTIVE

	}

}
