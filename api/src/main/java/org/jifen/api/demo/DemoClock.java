package org.jifen.api.demo;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The demo's clock: real time, except while the loader plays the last months of the
 * village's history, when it stands in the past so that claims, notices and postings
 * carry the dates they would have had. Only the demo (the embedded default) uses it;
 * health reports the demo as loading until the clock is back at real time.
 */
final class DemoClock extends Clock {

	private final AtomicReference<Duration> offset;

	private final ZoneId zone;

	DemoClock() {
		this(new AtomicReference<>(Duration.ZERO), ZoneOffset.UTC);
	}

	private DemoClock(AtomicReference<Duration> offset, ZoneId zone) {
		this.offset = offset;
		this.zone = zone;
	}

	void travelTo(Instant moment) {
		this.offset.set(Duration.between(Instant.now(), moment));
	}

	void backToNow() {
		this.offset.set(Duration.ZERO);
	}

	@Override
	public Instant instant() {
		return Instant.now().plus(this.offset.get());
	}

	@Override
	public ZoneId getZone() {
		return this.zone;
	}

	@Override
	public Clock withZone(ZoneId zone) {
		return new DemoClock(this.offset, zone);
	}

}
