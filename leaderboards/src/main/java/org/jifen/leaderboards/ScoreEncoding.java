package org.jifen.leaderboards;

import java.time.Instant;

/**
 * How a board packs integer points and the moment they were reached into the one double a
 * Redis sorted set orders by, so that more points rank first and, on equal points, the
 * member who reached them earlier ranks first.
 *
 * <p>
 * The score is the integer {@code points × 2^32 + (2^32 − 1 − second)}, where
 * {@code second} counts whole seconds from {@link #EARLIEST}. The time part lies in
 * {@code [0, 2^32)}, below one point, so it only ever separates equal points, and a later
 * second gives a smaller score. A double holds every integer in {@code [−2^53, 2^53]}
 * exactly (53-bit significand), so the encoding is exact, and decodes back to the very
 * same points and second, when:
 * <ul>
 * <li>points lie in {@code [}{@link #MIN_POINTS}{@code , }{@link #MAX_POINTS}{@code ]},
 * that is ±2,097,151 ({@code 2^21 − 1}), and</li>
 * <li>the moment lies in {@code [}{@link #EARLIEST}{@code , }{@link #LATEST}{@code ]},
 * that is from 2000-01-01T00:00:00Z to 2136-02-07T06:28:15Z, at a resolution of one
 * second (fractions of a second are dropped, so two members reaching the same points in
 * the same second tie; Redis then orders them by member, descending).</li>
 * </ul>
 * Anything outside these bounds is refused with {@link ScoreOutOfRangeException} rather
 * than rounded.
 */
public final class ScoreEncoding {

	/** Bits given to the time part; the remaining 21 of the 53 carry the points. */
	static final int TIME_BITS = 32;

	/** Number of distinct seconds the time part holds, {@code 2^32}. */
	static final long TIME_SPAN = 1L << TIME_BITS;

	/** The most points a member can hold on a board: {@code 2^21 − 1 = 2,097,151}. */
	public static final long MAX_POINTS = (1L << (53 - TIME_BITS)) - 1;

	/** The fewest points a member can hold on a board: {@code −2,097,151}. */
	public static final long MIN_POINTS = -MAX_POINTS;

	/** The earliest moment a score can be reached at: 2000-01-01T00:00:00Z. */
	public static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

	/** The latest moment a score can be reached at: 2136-02-07T06:28:15Z. */
	public static final Instant LATEST = EARLIEST.plusSeconds(TIME_SPAN - 1);

	private ScoreEncoding() {
	}

	/**
	 * Packs points and the moment they were reached into a sorted-set score.
	 * @throws ScoreOutOfRangeException if either lies outside the documented bounds
	 */
	public static double encode(long points, Instant achievedAt) {
		checkPoints(points);
		return (double) (points * TIME_SPAN + (TIME_SPAN - 1 - secondOf(achievedAt)));
	}

	/** The points packed in a score made by {@link #encode}. */
	public static long pointsOf(double score) {
		return Math.floorDiv(exactInteger(score), TIME_SPAN);
	}

	/** The moment, to the second, packed in a score made by {@link #encode}. */
	public static Instant achievedAtOf(double score) {
		long second = TIME_SPAN - 1 - Math.floorMod(exactInteger(score), TIME_SPAN);
		return EARLIEST.plusSeconds(second);
	}

	static void checkPoints(long points) {
		if (points < MIN_POINTS || points > MAX_POINTS) {
			throw new ScoreOutOfRangeException("Points " + points + " lie outside [" + MIN_POINTS + ", " + MAX_POINTS
					+ "], the range a board encodes exactly");
		}
	}

	/** Whole seconds from {@link #EARLIEST}, the time part before it is inverted. */
	static long secondOf(Instant achievedAt) {
		if (achievedAt.isBefore(EARLIEST) || achievedAt.isAfter(LATEST.plusNanos(999_999_999))) {
			throw new ScoreOutOfRangeException("Moment " + achievedAt + " lies outside [" + EARLIEST + ", " + LATEST
					+ "], the range a board encodes exactly");
		}
		return achievedAt.getEpochSecond() - EARLIEST.getEpochSecond();
	}

	private static long exactInteger(double score) {
		long integer = (long) score;
		if (integer != score || Math.abs(integer) > (1L << 53)) {
			throw new IllegalArgumentException("Score " + score + " was not made by ScoreEncoding");
		}
		return integer;
	}

}
