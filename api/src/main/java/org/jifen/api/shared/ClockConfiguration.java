package org.jifen.api.shared;

import java.time.Clock;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The one clock rule code reads, so that tests can move time instead of waiting for it.
 * The demo brings its own (see {@code DemoClock}).
 */
@Configuration(proxyBeanMethods = false)
class ClockConfiguration {

	@Bean
	@ConditionalOnBooleanProperty(name = "jifen.demo.enabled", havingValue = false, matchIfMissing = true)
	Clock clock() {
		return Clock.systemUTC();
	}

}
