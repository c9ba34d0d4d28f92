package org.jifen.leaderboards;

import java.time.Instant;
import java.util.Objects;

/**
 * One change of a member's points, as the ledger recorded it, to be applied to one or
 * more boards at least once and counted exactly once.
 *
 * @param changeId what makes the change unique, such as the journal transaction id; a
 * board ignores a change whose id it has already applied
 * @param member the opaque member whose points change
 * @param delta the points gained (positive) or lost (negative)
 * @param at when the change took effect; it becomes the moment the member reached the new
 * points, and must lie within {@link ScoreEncoding}'s bounds
 */
public record PointsChange(String changeId, String member, long delta, Instant at) {

	/** No change can move points further than from one bound to the other. */
	private static final long LARGEST_DELTA = ScoreEncoding.MAX_POINTS - ScoreEncoding.MIN_POINTS;

	public PointsChange {
		Objects.requireNonNull(changeId, "changeId");
		Objects.requireNonNull(member, "member");
		Objects.requireNonNull(at, "at");
		if (changeId.isBlank()) {
			throw new IllegalArgumentException("A change id must not be blank");
		}
		if (Math.abs(delta) > LARGEST_DELTA) {
			throw new ScoreOutOfRangeException(
					"A change of " + delta + " points cannot leave a board within its encodable bounds");
		}
		ScoreEncoding.secondOf(at);
	}

}
