package org.jifen.leaderboards;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ScoreEncodingTests {

	private static final Instant NOON = Instant.parse("2026-11-22T12:00:00Z");

	@Test
	void documentsItsBounds() {
		assertThat(ScoreEncoding.MAX_POINTS).isEqualTo(2_097_151L);
		assertThat(ScoreEncoding.MIN_POINTS).isEqualTo(-2_097_151L);
		assertThat(ScoreEncoding.EARLIEST).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
		assertThat(ScoreEncoding.LATEST).isEqualTo(Instant.parse("2136-02-07T06:28:15Z"));
	}

	@Test
	void decodesExactlyAtEveryCornerOfTheBounds() {
		long[] points = { ScoreEncoding.MIN_POINTS, -1, 0, 1, ScoreEncoding.MAX_POINTS };
		Instant[] moments = { ScoreEncoding.EARLIEST, NOON, ScoreEncoding.LATEST };
		for (long point : points) {
			for (Instant moment : moments) {
				double score = ScoreEncoding.encode(point, moment);
				assertThat(Math.abs(score)).isLessThanOrEqualTo(0x1p53);
				assertThat(ScoreEncoding.pointsOf(score)).as("points of %d at %s", point, moment).isEqualTo(point);
				assertThat(ScoreEncoding.achievedAtOf(score)).as("moment of %d at %s", point, moment).isEqualTo(moment);
			}
		}
	}

	@Test
	void morePointsScoreHigherWhateverTheMoment() {
		assertThat(ScoreEncoding.encode(11, ScoreEncoding.LATEST))
			.isGreaterThan(ScoreEncoding.encode(10, ScoreEncoding.EARLIEST));
		assertThat(ScoreEncoding.encode(-10, ScoreEncoding.LATEST))
			.isGreaterThan(ScoreEncoding.encode(-11, ScoreEncoding.EARLIEST));
		assertThat(ScoreEncoding.encode(ScoreEncoding.MAX_POINTS, ScoreEncoding.LATEST))
			.isGreaterThan(ScoreEncoding.encode(ScoreEncoding.MAX_POINTS - 1, ScoreEncoding.EARLIEST));
	}

	@Test
	void equalPointsReachedEarlierScoreHigher() {
		assertThat(ScoreEncoding.encode(10, NOON)).isGreaterThan(ScoreEncoding.encode(10, NOON.plusSeconds(1)));
		assertThat(ScoreEncoding.encode(-10, NOON)).isGreaterThan(ScoreEncoding.encode(-10, NOON.plusSeconds(1)));
		assertThat(ScoreEncoding.encode(ScoreEncoding.MAX_POINTS, NOON))
			.isGreaterThan(ScoreEncoding.encode(ScoreEncoding.MAX_POINTS, NOON.plusSeconds(1)));
	}

	@Test
	void dropsFractionsOfASecond() {
		double score = ScoreEncoding.encode(5, NOON.plusMillis(999));
		assertThat(ScoreEncoding.achievedAtOf(score)).isEqualTo(NOON);
		assertThat(score).isEqualTo(ScoreEncoding.encode(5, NOON));
	}

	@Test
	void refusesPointsBeyondTheBounds() {
		assertThatExceptionOfType(ScoreOutOfRangeException.class)
			.isThrownBy(() -> ScoreEncoding.encode(ScoreEncoding.MAX_POINTS + 1, NOON))
			.withMessageContaining("2097152")
			.withMessageContaining("2097151");
		assertThatExceptionOfType(ScoreOutOfRangeException.class)
			.isThrownBy(() -> ScoreEncoding.encode(ScoreEncoding.MIN_POINTS - 1, NOON));
		assertThatExceptionOfType(ScoreOutOfRangeException.class)
			.isThrownBy(() -> ScoreEncoding.encode(Long.MAX_VALUE, NOON));
	}

	@Test
	void refusesMomentsBeyondTheBounds() {
		assertThatExceptionOfType(ScoreOutOfRangeException.class)
			.isThrownBy(() -> ScoreEncoding.encode(1, ScoreEncoding.EARLIEST.minusNanos(1)))
			.withMessageContaining("2000-01-01T00:00:00Z");
		assertThatExceptionOfType(ScoreOutOfRangeException.class)
			.isThrownBy(() -> ScoreEncoding.encode(1, ScoreEncoding.LATEST.plusSeconds(1)));
		assertThat(ScoreEncoding.achievedAtOf(ScoreEncoding.encode(1, ScoreEncoding.LATEST.plusMillis(999))))
			.isEqualTo(ScoreEncoding.LATEST);
	}

	@Test
	void refusesToDecodeScoresItDidNotMake() {
		assertThatIllegalArgumentException().isThrownBy(() -> ScoreEncoding.pointsOf(1.5));
		assertThatIllegalArgumentException().isThrownBy(() -> ScoreEncoding.pointsOf(0x1p60));
	}

	@Test
	void refusesChangesNoBoardCouldHold() {
		assertThatExceptionOfType(ScoreOutOfRangeException.class)
			.isThrownBy(() -> new PointsChange("tx-1", "a", 2 * ScoreEncoding.MAX_POINTS + 1, NOON));
		assertThatExceptionOfType(ScoreOutOfRangeException.class)
			.isThrownBy(() -> new PointsChange("tx-1", "a", 1, Instant.parse("1999-12-31T23:59:59Z")));
		assertThat(new PointsChange("tx-1", "a", 2 * ScoreEncoding.MAX_POINTS, NOON).delta())
			.isEqualTo(2 * ScoreEncoding.MAX_POINTS);
	}

}
