package org.jifen.api.shared;

import java.net.ConnectException;
import java.util.List;

import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import reactor.core.Exceptions;
import reactor.pool.PoolAcquireTimeoutException;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.data.redis.RedisConnectionFailureException;

/**
 * Tells an outage (the database or Redis not answering: refused, dropped, or no
 * connection to be had in time) from a failure of the work itself. An outage did nothing
 * and passes: a request may be retried with its {@code Idempotency-Key}, an event
 * delivered later.
 */
public final class Outages {

	private Outages() {
	}

	public static boolean isOutage(Throwable error) {
		// Several failures at once (consumers of one event) are an outage only if each
		// is.
		List<Throwable> failures = Exceptions.unwrapMultiple(error);
		if (failures.size() > 1 || failures.get(0) != error) {
			return failures.stream().allMatch(Outages::isOutage);
		}
		if (hasCause(error, R2dbcException.class)) {
			// Spring translates every resource exception of the driver into a
			// DataAccessResourceFailureException, bugs included: the SQL state decides.
			return isDatabaseUnreachable(error);
		}
		return hasCause(error, DataAccessResourceFailureException.class)
				|| hasCause(error, PoolAcquireTimeoutException.class) || hasCause(error, ConnectException.class)
				|| hasCause(error, RedisConnectionException.class)
				|| hasCause(error, RedisConnectionFailureException.class) || isRedisUnreachable(error);
	}

	/**
	 * The PostgreSQL driver raises its resource exceptions also for SQL states it does
	 * not list (a statement timeout, an aborted transaction, an internal error): those
	 * are bugs, not outages. Only a lost or refused connection (no state, or class 08),
	 * an exhausted server (53) or one shutting down (57P0x) is.
	 */
	private static boolean isDatabaseUnreachable(Throwable error) {
		for (Throwable cause = error; cause != null; cause = cause.getCause()) {
			if (cause instanceof R2dbcNonTransientResourceException
					|| cause instanceof R2dbcTransientResourceException) {
				String state = ((R2dbcException) cause).getSqlState();
				return state == null || state.startsWith("08") || state.startsWith("53") || state.startsWith("57P0");
			}
		}
		return false;
	}

	/**
	 * Lettuce refusing a command while disconnected, or failing one in flight when the
	 * connection drops, raises a plain {@link RedisException} (its subclasses are Redis's
	 * own error replies and the like); a command that got no answer in time raises
	 * {@link RedisCommandTimeoutException}. Both mean Redis is away, not that the work
	 * was wrong.
	 */
	private static boolean isRedisUnreachable(Throwable error) {
		for (Throwable cause = error; cause != null; cause = cause.getCause()) {
			if (cause.getClass() == RedisException.class || cause instanceof RedisCommandTimeoutException) {
				return true;
			}
		}
		return false;
	}

	private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
		for (Throwable cause = error; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return true;
			}
		}
		return false;
	}

}
