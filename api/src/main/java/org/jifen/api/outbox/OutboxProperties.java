package org.jifen.api.outbox;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the relay works through the outbox.
 *
 * @param enabled whether this instance runs a relay (every instance may)
 * @param batchSize events claimed at once
 * @param pollInterval how often to look without being woken (LISTEN/NOTIFY wakes it at
 * once; polling is the fallback and picks up retries)
 * @param lease how long a claimed batch is this instance's before another may take it (a
 * relay killed mid-batch loses nothing: its lease runs out)
 * @param maxAttempts failures after which an event is dead
 * @param firstRetry the first back-off; it doubles per attempt up to {@code maxRetry}
 * @param maxRetry the longest back-off
 * @param gather how long a woken relay lets further commits gather before it leases, so
 * that a busy till's stream of commits is leased a batch at a time rather than one event
 * per round
 */
@ConfigurationProperties("jifen.outbox")
public record OutboxProperties(@DefaultValue("true") boolean enabled, @DefaultValue("100") int batchSize,
		@DefaultValue("1s") Duration pollInterval, @DefaultValue("30s") Duration lease,
		@DefaultValue("8") int maxAttempts, @DefaultValue("2s") Duration firstRetry,
		@DefaultValue("10m") Duration maxRetry, @DefaultValue("50ms") Duration gather) {

	/** The wait before attempt {@code attempts + 1}. */
	Duration backOff(int attempts) {
		long factor = 1L << Math.min(20, Math.max(0, attempts - 1));
		Duration wait = this.firstRetry.multipliedBy(factor);
		return (wait.compareTo(this.maxRetry) > 0) ? this.maxRetry : wait;
	}

}
