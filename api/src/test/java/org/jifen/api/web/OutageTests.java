package org.jifen.api.web;

import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import org.junit.jupiter.api.Test;

import org.springframework.dao.DataAccessResourceFailureException;

import static org.assertj.core.api.Assertions.assertThat;

/** Which failures are outages (503, retry) and which are bugs (500). */
class OutageTests {

	@Test
	void aLostOrRefusedDatabaseConnectionIsAnOutage() {
		assertThat(ProblemHandler.isOutage(new R2dbcNonTransientResourceException("Connection closed"))).isTrue();
		assertThat(ProblemHandler.isOutage(new DataAccessResourceFailureException("wrapped",
				new R2dbcNonTransientResourceException("x", "08006"))))
			.isTrue();
		assertThat(ProblemHandler.isOutage(new R2dbcTransientResourceException("too many clients", "53300"))).isTrue();
		assertThat(ProblemHandler.isOutage(new R2dbcNonTransientResourceException("admin shutdown", "57P01"))).isTrue();
	}

	@Test
	void statementTimeoutsAbortedTransactionsAndInternalErrorsAreNot() {
		assertThat(ProblemHandler.isOutage(new R2dbcNonTransientResourceException("statement timeout", "57014")))
			.isFalse();
		assertThat(ProblemHandler.isOutage(new R2dbcNonTransientResourceException("transaction aborted", "25P02")))
			.isFalse();
		assertThat(ProblemHandler.isOutage(new R2dbcNonTransientResourceException("internal error", "XX000")))
			.isFalse();
	}

}
