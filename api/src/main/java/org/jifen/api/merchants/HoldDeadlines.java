package org.jifen.api.merchants;

import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Voids holds the till never confirmed, so a crashed till never keeps a villager's
 * points. Safe in every instance at once (see {@link MerchantCheckout#voidExpired}).
 */
@Component
class HoldDeadlines {

	private static final Logger log = LoggerFactory.getLogger(HoldDeadlines.class);

	private final MerchantCheckout checkout;

	private final Clock clock;

	HoldDeadlines(MerchantCheckout checkout, Clock clock) {
		this.checkout = checkout;
		this.clock = clock;
	}

	@Scheduled(fixedDelayString = "${jifen.merchants.void-interval:PT30S}", initialDelayString = "PT30S")
	Mono<Void> voidExpired() {
		return this.checkout.voidExpired(this.clock.instant()).doOnNext((voided) -> {
			if (voided > 0) {
				log.info("Voided {} redemption holds the till never confirmed", voided);
			}
		}).then();
	}

}
