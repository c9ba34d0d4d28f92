package org.jifen.api.shared;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import org.junit.jupiter.api.Test;
import reactor.core.Exceptions;

import org.springframework.dao.DataAccessResourceFailureException;

import static org.assertj.core.api.Assertions.assertThat;

/** Which failures are outages (503, retry) and which are bugs (500). */
class OutagesTests {

	@Test
	void aLostOrRefusedDatabaseConnectionIsAnOutage() {
		assertThat(Outages.isOutage(new R2dbcNonTransientResourceException("Connection closed"))).isTrue();
		assertThat(Outages.isOutage(new DataAccessResourceFailureException("wrapped",
				new R2dbcNonTransientResourceException("x", "08006"))))
			.isTrue();
		assertThat(Outages.isOutage(new R2dbcTransientResourceException("too many clients", "53300"))).isTrue();
		assertThat(Outages.isOutage(new R2dbcNonTransientResourceException("admin shutdown", "57P01"))).isTrue();
	}

	@Test
	void springsTranslationOfADriverBugIsNoOutage() {
		assertThat(Outages.isOutage(new DataAccessResourceFailureException("translated",
				new R2dbcNonTransientResourceException("transaction aborted", "25P02"))))
			.isFalse();
	}

	@Test
	void severalFailuresAreAnOutageOnlyIfEachIs() {
		RuntimeException bothAway = Exceptions.multiple(new RedisException("Connection closed"),
				new R2dbcNonTransientResourceException("Connection closed"));
		assertThat(Outages.isOutage(bothAway)).isTrue();
		RuntimeException oneBug = Exceptions.multiple(new RedisException("Connection closed"),
				new IllegalStateException("a bug"));
		assertThat(Outages.isOutage(oneBug)).isFalse();
	}

	@Test
	void statementTimeoutsAbortedTransactionsAndInternalErrorsAreNot() {
		assertThat(Outages.isOutage(new R2dbcNonTransientResourceException("statement timeout", "57014"))).isFalse();
		assertThat(Outages.isOutage(new R2dbcNonTransientResourceException("transaction aborted", "25P02"))).isFalse();
		assertThat(Outages.isOutage(new R2dbcNonTransientResourceException("internal error", "XX000"))).isFalse();
	}

	@Test
	void redisRefusingCommandsWhileDisconnectedIsAnOutageButItsErrorRepliesAreNot() {
		assertThat(Outages.isOutage(new RedisException("Currently not connected. Commands are rejected."))).isTrue();
		assertThat(Outages.isOutage(new RedisCommandTimeoutException("no answer in time"))).isTrue();
		assertThat(Outages.isOutage(new RedisCommandExecutionException("WRONGTYPE"))).isFalse();
		assertThat(Outages.isOutage(new IllegalStateException("a bug"))).isFalse();
	}

}
