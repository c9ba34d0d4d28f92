package org.jifen.api.web;

import java.math.BigDecimal;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProblemDetailsTests {

	@Test
	void placeholdersAreFilledByNameWhateverTheFieldsOrder() {
		assertThat(
				ProblemDetails.fill("可用积分 {available} 分，需要 {required} 分。", Map.of("required", 30L, "available", 12L)))
			.isEqualTo("可用积分 12 分，需要 30 分。");
	}

	@Test
	void numbersPrintPlainly() {
		assertThat(ProblemDetails.fill("{big} {decimal}", Map.of("big", 1234567L, "decimal", new BigDecimal("1E+3"))))
			.isEqualTo("1234567 1000");
	}

	@Test
	void aPlaceholderWithoutItsFieldStaysAsWritten() {
		assertThat(ProblemDetails.fill("{missing} and {0} stay", Map.of("other", 1)))
			.isEqualTo("{missing} and {0} stay");
	}

	@Test
	void apostrophesAndReplacementCharactersPrintAsWritten() {
		assertThat(ProblemDetails.fill("The slot's reward is '{reward}'.", Map.of("reward", "$1 \\ 5")))
			.isEqualTo("The slot's reward is '$1 \\ 5'.");
	}

}
