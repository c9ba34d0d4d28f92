package org.jifen.api.web;

import io.micrometer.context.ContextRegistry;
import reactor.core.publisher.Hooks;

import org.springframework.context.annotation.Configuration;

/**
 * Carries the request id from the Reactor context into the logging MDC on every operator,
 * so that every log line of a request names it.
 */
@Configuration(proxyBeanMethods = false)
class WebConfiguration {

	WebConfiguration() {
		ContextRegistry.getInstance().registerThreadLocalAccessor(new RequestIds.MdcAccessor());
		Hooks.enableAutomaticContextPropagation();
	}

}
