package org.jifen.leaderboards;

import java.time.Instant;
import java.util.Objects;

/**
 * One member's points as a rebuild writes them, usually summed from the ledger.
 *
 * @param member the opaque member
 * @param points the member's points, within {@link ScoreEncoding}'s bounds
 * @param achievedAt when the member reached these points (the time of the member's latest
 * change), which settles ties
 */
public record BoardEntry(String member, long points, Instant achievedAt) {

	public BoardEntry {
		Objects.requireNonNull(member, "member");
		Objects.requireNonNull(achievedAt, "achievedAt");
	}

	/**
	 * An entry whose moment is unknown: it counts as reached at
	 * {@link ScoreEncoding#EARLIEST}, so among equal points it ranks ahead of every dated
	 * entry and is ordered by member among the undated ones.
	 */
	public BoardEntry(String member, long points) {
		this(member, points, ScoreEncoding.EARLIEST);
	}

}
