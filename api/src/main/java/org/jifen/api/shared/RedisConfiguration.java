package org.jifen.api.shared;

import io.lettuce.core.ClientOptions;

import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * How every Lettuce client of the application behaves while Redis is unreachable. Redis
 * holds derived state only (boards, live fan-out, counters), so a command is refused at
 * once rather than queued until Redis returns: a board read answers a 503 a client may
 * retry instead of hanging for the whole outage, and a rate-limit count is skipped
 * instead of delaying the request. Lettuce keeps reconnecting meanwhile.
 */
@Configuration(proxyBeanMethods = false)
class RedisConfiguration {

	@Bean
	LettuceClientOptionsBuilderCustomizer rejectCommandsWhileDisconnected() {
		return (options) -> options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
	}

}
