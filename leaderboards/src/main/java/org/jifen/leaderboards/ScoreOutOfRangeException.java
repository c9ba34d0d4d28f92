package org.jifen.leaderboards;

/**
 * Points or a moment lie outside the bounds within which {@link ScoreEncoding} is exact;
 * the board refuses them instead of rounding.
 */
public class ScoreOutOfRangeException extends IllegalArgumentException {

	public ScoreOutOfRangeException(String message) {
		super(message);
	}

}
