package org.jifen.api.web;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the {@code Idempotency-Key} support.
 *
 * @param retention how long a finished answer is kept for replays (at least a day)
 * @param maxBody the largest request body a keyed request may carry
 */
@ConfigurationProperties("jifen.idempotency")
record IdempotencyProperties(Duration retention, DataSize maxBody) {

	IdempotencyProperties {
		retention = (retention != null) ? retention : Duration.ofHours(48);
		maxBody = (maxBody != null) ? maxBody : DataSize.ofKilobytes(256);
		if (retention.compareTo(Duration.ofHours(24)) < 0) {
			throw new IllegalArgumentException("jifen.idempotency.retention must be at least 24 hours");
		}
	}

}
