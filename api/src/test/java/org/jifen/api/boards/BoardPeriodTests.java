package org.jifen.api.boards;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;

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
