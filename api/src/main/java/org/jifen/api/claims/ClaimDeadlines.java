package org.jifen.api.claims;

import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Runs the workflow's deadlines on time: unrectified deductions go into public notice,
 * and claims whose notice ended become effective. Safe in every instance at once (see
 * {@link Claims#closeDue}).
 */
@Component
class ClaimDeadlines {

	private static final Logger log = LoggerFactory.getLogger(ClaimDeadlines.class);

	private final Claims claims;

	private final Clock clock;

	ClaimDeadlines(Claims claims, Clock clock) {
		this.claims = claims;
		this.clock = clock;
	}

	@Scheduled(fixedDelayString = "${jifen.claims.deadline-interval:PT1M}", initialDelayString = "PT30S")
	Mono<Void> closeDue() {
		return this.claims.closeDue(this.clock.instant()).doOnNext((moved) -> {
			if (moved > 0) {
				log.info("Moved {} claims past their deadline", moved);
			}
		}).then();
	}

}
