package org.jifen.api.tasks;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * One volunteer's place in a task. A slot's reward is in escrow until it is PAID (to the
 * volunteer, and any remainder returned) or RETURNED (to the funder), which happens once.
 */
public record TaskSlot(long id, long taskId, int n, State state, @Nullable Long volunteerMemberId,
		@Nullable Long volunteerHouseholdId, @Nullable Instant grabbedAt, @Nullable Instant startedAt,
		@Nullable Instant completedAt, @Nullable Instant confirmedAt, @Nullable String note, List<String> photos,
		@Nullable Integer minutes, @Nullable String disputeReason, @Nullable Long paidPoints,
		@Nullable Long returnedPoints) {

	public TaskSlot {
		photos = List.copyOf(photos);
	}

	/**
	 * OPEN → GRABBED (or DISPATCHED → GRABBED on accept, → OPEN on decline) → STARTED →
	 * COMPLETED → PAID (confirmed), or DISPUTED → PAID / RETURNED by a reviewer.
	 * Unstarted slots of a cancelled or expired task are RETURNED.
	 */
	public enum State {

		OPEN, DISPATCHED, GRABBED, STARTED, COMPLETED, DISPUTED, PAID, RETURNED

	}

}
