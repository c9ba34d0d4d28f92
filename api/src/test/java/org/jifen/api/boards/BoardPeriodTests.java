package org.jifen.api.boards;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.jifen.api.shared.DomainException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class BoardPeriodTests {

	private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

	@Test
	void periodsAreCutAtMidnightInTheVillagesTimeZone() {
		Instant lastSecondOfMarch = OffsetDateTime.parse("2027-03-31T23:59:59+08:00").toInstant();
		Instant midnight = lastSecondOfMarch.plusSeconds(1);
		assertThat(BoardPeriod.QUARTER.keyOf(lastSecondOfMarch, SHANGHAI)).isEqualTo("2027-Q1");
		assertThat(BoardPeriod.QUARTER.keyOf(midnight, SHANGHAI)).isEqualTo("2027-Q2");
		assertThat(BoardPeriod.MONTH.keyOf(midnight, SHANGHAI)).isEqualTo("2027-04");
		assertThat(BoardPeriod.YEAR.keyOf(midnight, SHANGHAI)).isEqualTo("2027");
		assertThat(BoardPeriod.ALL.keyOf(midnight, SHANGHAI)).isEqualTo("all");
		// In UTC the same instant is still the last quarter's.
		assertThat(BoardPeriod.QUARTER.keyOf(midnight, ZoneId.of("UTC"))).isEqualTo("2027-Q1");
		assertThat(BoardPeriod.QUARTER.keyOf(Instant.parse("2026-12-31T16:00:00Z"), SHANGHAI)).isEqualTo("2027-Q1");
	}

	@Test
	void aPeriodsTimeRangeHoldsItsFirstAndLastMomentInEveryTimeZone() {
		List<ZoneId> zones = List.of(SHANGHAI, ZoneId.of("UTC"), ZoneId.of("Pacific/Kiritimati"),
				ZoneId.of("Pacific/Pago_Pago"));
		Instant midnight = OffsetDateTime.parse("2027-04-01T00:00:00+08:00").toInstant();
		for (BoardPeriod period : List.of(BoardPeriod.MONTH, BoardPeriod.QUARTER, BoardPeriod.YEAR)) {
			for (ZoneId zone : zones) {
				Instant first = period.startOf(midnight, zone);
				// A moment of the next period, whose start is this one's end.
				Duration intoNext = switch (period) {
					case MONTH -> Duration.ofDays(32);
					case QUARTER -> Duration.ofDays(95);
					default -> Duration.ofDays(370);
				};
				Instant last = period.startOf(first.plus(intoNext), zone).minusNanos(1);
				String key = period.keyOf(first, zone);
				assertThat(period.keyOf(last, zone)).isEqualTo(key);
				BoardPeriod.Span span = period.around(key);
				assertThat(span.from()).isBeforeOrEqualTo(first);
				assertThat(span.until()).isAfter(last);
				// Narrow enough to leave the rest of the journal out.
				assertThat(Duration.between(span.from(), span.until()))
					.isLessThanOrEqualTo(Duration.between(first, last).plus(Duration.ofDays(3)));
			}
		}
		assertThat(BoardPeriod.ALL.around("all")).isNull();
		assertThat(BoardPeriod.QUARTER.around("2027-Q2")).isEqualTo(
				new BoardPeriod.Span(Instant.parse("2027-03-31T00:00:00Z"), Instant.parse("2027-07-02T00:00:00Z")));
	}

	@Test
	void aYearlyResetMovesOnlyTheAllTimeBoard() {
		assertThat(BoardPeriod.ALL.counts("RESET")).isTrue();
		assertThat(BoardPeriod.YEAR.counts("RESET")).isFalse();
		assertThat(BoardPeriod.MONTH.counts("AWARD")).isTrue();
		assertThat(BoardPeriod.MONTH.counts("DEDUCTION")).isTrue();
	}

	@Test
	void readsThePeriodTheApiNames() {
		assertThat(BoardPeriod.parse("Quarter")).isEqualTo(BoardPeriod.QUARTER);
		assertThatExceptionOfType(DomainException.class).isThrownBy(() -> BoardPeriod.parse("week"));
	}

}
