package org.jifen.api.demo;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty("jifen.demo.enabled")
class DemoConfiguration {

	@Bean
	DemoClock clock() {
		return new DemoClock();
	}

}
