package org.jifen.api.ledger;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.jifen.api.village.Villages;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Resets the kinds that reset yearly (红色存折) at each village's new year, in its time zone.
 * Checked every hour; the reset's request id makes every run after the first a no-op, and
 * any number of instances may run it.
 */
@Component
class YearlyReset {

	private static final Logger log = LoggerFactory.getLogger(YearlyReset.class);

	private final Ledger ledger;

	private final PointKinds kinds;

	private final Villages villages;

	private final Clock clock;

	YearlyReset(Ledger ledger, PointKinds kinds, Villages villages, Clock clock) {
		this.ledger = ledger;
		this.kinds = kinds;
		this.villages = villages;
		this.clock = clock;
	}

	@Scheduled(fixedDelayString = "${jifen.ledger.reset-interval:PT1H}", initialDelayString = "PT2M")
	Mono<Void> resetDueKinds() {
		return this.villages.allVillages().concatMap((village) -> {
			ZoneId zone = ZoneId.of(village.timeZone());
			LocalDate today = LocalDate.now(this.clock.withZone(zone));
			return this.kinds.kindsOf(village.id())
				.filter((kind) -> kind.reset() == PointKind.Reset.YEARLY)
				.concatMap((kind) -> this.ledger.resetYear(village.id(), kind, today.getYear(),
						today.withDayOfYear(1).atStartOfDay(zone).toInstant()))
				.onErrorResume((error) -> {
					log.error("Yearly reset of village {} failed; retried next hour", village.id().value(), error);
					return Mono.empty();
				});
		}).then();
	}

}
