package org.jifen.api.shared;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Server options an operator gave are kept, in either form the driver accepts. */
class DatabaseSessionConfigurationTests {

	@Test
	void optionsFromAUrlAreReadFromTheirTextForm() {
		assertThat(DatabaseSessionConfiguration.options("lock_timeout=10s; statement_timeout=5min"))
			.containsExactly(Map.entry("lock_timeout", "10s"), Map.entry("statement_timeout", "5min"));
	}

	@Test
	void optionsGivenAsAMapAreKept() {
		assertThat(DatabaseSessionConfiguration.options(Map.of("idle_in_transaction_session_timeout", "5s")))
			.containsExactly(Map.entry("idle_in_transaction_session_timeout", "5s"));
	}

	@Test
	void noOptionsAreNone() {
		assertThat(DatabaseSessionConfiguration.options(null)).isEmpty();
	}

}
