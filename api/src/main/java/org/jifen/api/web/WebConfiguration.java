package org.jifen.api.web;

import io.micrometer.context.ContextRegistry;
import jakarta.validation.Validator;
import jakarta.validation.constraints.NotNull;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Lets the request id travel from the Reactor context into the logging MDC where asked
 * ({@code handle}, {@code tap}, {@code contextCapture}); not on every operator, which
 * cost a fifth of the CPU of a request (see {@code spring.reactor.context-propagation}).
 */
@Configuration(proxyBeanMethods = false)
class WebConfiguration {

	WebConfiguration() {
		ContextRegistry.getInstance().registerThreadLocalAccessor(new RequestIds.MdcAccessor());
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
