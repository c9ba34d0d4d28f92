package org.jifen.api.web;

import io.micrometer.context.ThreadLocalAccessor;
import org.slf4j.MDC;

import org.springframework.web.server.ServerWebExchange;

/**
 * Where the request id lives: a header, an exchange attribute, a Reactor context key, and
 * (through context propagation) the logging MDC.
 */
public final class RequestIds {

	public static final String HEADER = "X-Request-Id";

	static final String ATTRIBUTE = RequestIds.class.getName();

	static final String CONTEXT_KEY = "requestId";

	private RequestIds() {
	}

	static String of(ServerWebExchange exchange) {
		Object id = exchange.getAttribute(ATTRIBUTE);
		return (id != null) ? id.toString() : "none";
	}

	/** Copies the request id between the Reactor context and the logging MDC. */
	static final class MdcAccessor implements ThreadLocalAccessor<String> {

		@Override
		public Object key() {
			return CONTEXT_KEY;
		}

		@Override
		public String getValue() {
			return MDC.get(CONTEXT_KEY);
		}

		@Override
		public void setValue(String value) {
			MDC.put(CONTEXT_KEY, value);
		}

		@Override
		public void setValue() {
			MDC.remove(CONTEXT_KEY);
		}

	}

}
