package org.jifen.api.boards;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.jifen.api.shared.DomainException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class StarRuleTests {

	@Test
	void thresholdsOnThePeriodsScore() {
		StarRule rule = new StarRule(BoardPeriod.MONTH, StarRule.Mode.THRESHOLD,
				List.of(new StarRule.Step(5, 91), new StarRule.Step(3, 70), new StarRule.Step(4, 81)));
		assertThat(rule.starsOf(69, 9, 10)).isZero();
		assertThat(rule.starsOf(70, 8, 10)).isEqualTo(3);
		assertThat(rule.starsOf(80, 7, 10)).isEqualTo(3);
		assertThat(rule.starsOf(81, 6, 10)).isEqualTo(4);
		assertThat(rule.starsOf(100, 1, 10)).isEqualTo(5);
	}

	@Test
	void sharesOfTheRanking() {
		StarRule rule = new StarRule(BoardPeriod.YEAR, StarRule.Mode.SHARE,
				List.of(new StarRule.Step(5, 10), new StarRule.Step(4, 30), new StarRule.Step(3, 60)));
		assertThat(rule.starsOf(0, 1, 20)).isEqualTo(5);
		assertThat(rule.starsOf(0, 2, 20)).isEqualTo(5);
		assertThat(rule.starsOf(0, 3, 20)).isEqualTo(4);
		assertThat(rule.starsOf(0, 6, 20)).isEqualTo(4);
		assertThat(rule.starsOf(0, 12, 20)).isEqualTo(3);
		assertThat(rule.starsOf(0, 13, 20)).isZero();
		// On a board of three, the first place is the top 10%.
		assertThat(rule.starsOf(0, 1, 3)).isEqualTo(5);
	}

	@Test
	void volunteersByYearlyPoints() {
		assertThat(StarRule.VOLUNTEER.period()).isEqualTo(BoardPeriod.YEAR);
		assertThat(StarRule.VOLUNTEER.starsOf(99, 1, 1)).isZero();
		assertThat(StarRule.VOLUNTEER.starsOf(100, 1, 1)).isEqualTo(1);
		assertThat(StarRule.VOLUNTEER.starsOf(600, 1, 1)).isEqualTo(3);
		assertThat(StarRule.VOLUNTEER.starsOf(1499, 1, 1)).isEqualTo(4);
		assertThat(StarRule.VOLUNTEER.starsOf(1500, 1, 1)).isEqualTo(5);
	}

	@Test
	void refusesRulesWhereMoreStarsAreNotHarder() {
		assertThatExceptionOfType(DomainException.class).isThrownBy(() -> new StarRule(BoardPeriod.MONTH,
				StarRule.Mode.THRESHOLD, List.of(new StarRule.Step(3, 80), new StarRule.Step(4, 70))));
		assertThatExceptionOfType(DomainException.class).isThrownBy(() -> new StarRule(BoardPeriod.MONTH,
				StarRule.Mode.SHARE, List.of(new StarRule.Step(5, 30), new StarRule.Step(4, 10))));
		assertThatExceptionOfType(DomainException.class)
			.isThrownBy(() -> new StarRule(BoardPeriod.MONTH, StarRule.Mode.SHARE, List.of(new StarRule.Step(5, 0))));
		assertThatExceptionOfType(DomainException.class)
			.isThrownBy(() -> new StarRule(BoardPeriod.MONTH, StarRule.Mode.THRESHOLD, List.of()));
	}

}
