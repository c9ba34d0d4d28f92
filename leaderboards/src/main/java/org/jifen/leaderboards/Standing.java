package org.jifen.leaderboards;

import java.time.Instant;
import java.util.Objects;

/**
 * Where one member stands on a board at the moment it was read.
 *
 * @param member the opaque member, as the caller named it
 * @param rank the position from the top, starting at 1; no two members share a rank
 * (equal points are ordered by the earlier {@code achievedAt}, and within the same second
 * by member, descending, as Redis orders equal scores)
 * @param points the member's points on the board
 * @param achievedAt when the member reached these points, to the second
 */
public record Standing(String member, long rank, long points, Instant achievedAt) {

	public Standing {
		Objects.requireNonNull(member, "member");
		Objects.requireNonNull(achievedAt, "achievedAt");
		if (rank < 1) {
			throw new IllegalArgumentException("A rank starts at 1: " + rank);
		}
	}

	static Standing decode(String member, long zeroBasedPosition, double score) {
		return new Standing(member, zeroBasedPosition + 1, ScoreEncoding.pointsOf(score),
				ScoreEncoding.achievedAtOf(score));
	}

}
