package org.jifen.api.web;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.jifen.api.shared.DomainException;
import org.springframework.core.annotation.Order;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Keeps one caller from flooding the rest: sign-in attempts per client address, checkout
 * code verifications and changing requests per signed-in user, each counted in Redis over
 * a fixed window and refused with a 429 {@code rate-limited} problem (and
 * {@code Retry-After}) once the budget is spent. Counting never stands in the way of
 * service: if Redis does not answer in time, the request goes through.
 */
@Component
@Order(-50) // after Spring Security's chain (-100), which names the caller; before
			// idempotency
class RateLimitFilter implements WebFilter {

	private static final Logger log = LoggerFactory.getLogger(RateLimitFilter.class);

	private static final Set<HttpMethod> CHANGING = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
			HttpMethod.DELETE);

	/** How long the count may take before the request goes through uncounted. */

	/**
	 * Counts one request in the current window; answers the count so far and the
	 * milliseconds left in the window.
	 */
	@SuppressWarnings("unchecked")
	private static final RedisScript<List<Long>> COUNT = RedisScript.of("""
			local count = redis.call('INCR', KEYS[1])
			if count == 1 then
				redis.call('PEXPIRE', KEYS[1], ARGV[1])
			end
			local left = redis.call('PTTL', KEYS[1])
			if left < 0 then
				redis.call('PEXPIRE', KEYS[1], ARGV[1])
				left = tonumber(ARGV[1])
			end
			return { count, left }
			""", (Class<List<Long>>) (Class<?>) List.class);

	private final ReactiveStringRedisTemplate redis;

	private final RateLimitProperties properties;

	private final Pattern codeVerification;

	RateLimitFilter(ReactiveStringRedisTemplate redis, RateLimitProperties properties) {
		this.redis = redis;
		this.properties = properties;
		this.codeVerification = Pattern.compile(properties.codeVerificationPaths());
	}

	/** A budget: its name in keys and problems, and how many requests a window allows. */
	private record Budget(String name, int limit) {
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		if (!CHANGING.contains(request.getMethod())) {
			return chain.filter(exchange);
		}
		String path = RequestPaths.decoded(request);
		if (path.startsWith("/api/v1/auth/")) {
			return spend(new Budget("sign-in", this.properties.signIn()), "address:" + address(request))
				.then(chain.filter(exchange));
		}
		Budget budget = this.codeVerification.matcher(path).matches()
				? new Budget("code-verification", this.properties.codeVerification())
				: new Budget("posting", this.properties.posting());
		return ReactiveSecurityContextHolder.getContext()
			.mapNotNull(SecurityContext::getAuthentication)
			.filter(Authentication::isAuthenticated)
			.flatMap((user) -> spend(budget, "user:" + user.getName()))
			.then(chain.filter(exchange));
	}

	private Mono<Void> spend(Budget budget, String who) {
		long windowMillis = this.properties.window().toMillis();
		long window = System.currentTimeMillis() / windowMillis;
		String key = "jifen:rate:" + budget.name() + ":" + who + ":" + window;
		return this.redis.execute(COUNT, List.of(key), List.of(Long.toString(windowMillis)))
			.next()
			// Spring Data Redis takes its shared connection under a lock: not on an
			// event loop. The request then goes on off Lettuce's I/O thread.
			.subscribeOn(Schedulers.boundedElastic())
			.publishOn(Schedulers.parallel())
			.timeout(this.properties.countTimeout())
			.flatMap((answer) -> {
				long count = answer.get(0);
				if (count <= budget.limit()) {
					return Mono.<Void>empty();
				}
				long retryAfter = Math.max(1, (answer.get(1) + 999) / 1000);
				return Mono.error(new DomainException(DomainException.Kind.THROTTLED, "rate-limited",
						"Too many requests: at most " + budget.limit() + " per " + this.properties.window().toSeconds()
								+ " s; try again in " + retryAfter + " s.",
						Map.of("limit", budget.limit(), "windowSeconds", this.properties.window().toSeconds(),
								"retryAfterSeconds", retryAfter)));
			})
			.onErrorResume((error) -> !(error instanceof DomainException), (error) -> {
				log.debug("Rate limit of {} not counted: {}", who, error.toString());
				return Mono.empty();
			});
	}

	private static String address(ServerHttpRequest request) {
		InetSocketAddress remote = request.getRemoteAddress();
		return (remote != null && remote.getAddress() != null) ? remote.getAddress().getHostAddress() : "unknown";
	}

}
