package org.jifen.api.web;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Gives every request an id: the caller's {@code X-Request-Id} when it is sensible, a new
 * one otherwise. The id is echoed in the response, carried into every log line through
 * the Reactor context, and put into every problem response.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestIdFilter implements WebFilter {

	private static final Pattern ACCEPTED = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String offered = exchange.getRequest().getHeaders().getFirst(RequestIds.HEADER);
		String requestId = (offered != null && ACCEPTED.matcher(offered).matches()) ? offered : newRequestId();
		exchange.getAttributes().put(RequestIds.ATTRIBUTE, requestId);
		exchange.getResponse().getHeaders().set(RequestIds.HEADER, requestId);
		return chain.filter(exchange).contextWrite((context) -> context.put(RequestIds.CONTEXT_KEY, requestId));
	}

	/**
	 * Random enough to tell requests apart; not a secret, so it needs no blocking
	 * SecureRandom.
	 */
	private static String newRequestId() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		return new UUID(random.nextLong(), random.nextLong()).toString();
	}

}
