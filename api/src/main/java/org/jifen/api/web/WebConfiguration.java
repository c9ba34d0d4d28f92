package org.jifen.api.web;

import io.micrometer.context.ContextRegistry;
import jakarta.validation.Validator;
import jakarta.validation.constraints.NotNull;
import reactor.core.publisher.Hooks;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Carries the request id from the Reactor context into the logging MDC on every operator,
 * so that every log line of a request names it.
 */
@Configuration(proxyBeanMethods = false)
class WebConfiguration {

	WebConfiguration() {
		ContextRegistry.getInstance().registerThreadLocalAccessor(new RequestIds.MdcAccessor());
		// Hooks.enableAutomaticContextPropagation();
	}

	/**
	 * Bean Validation loads its message bundles from disk on first use; do it at start-up
	 * rather than on an event loop when the first invalid request arrives.
	 */
	@Bean
	SmartInitializingSingleton validationMessagesLoader(Validator validator) {
		return () -> validator.validate(new Unvalidated(null));
	}

	private record Unvalidated(@NotNull Object value) {
	}

}
