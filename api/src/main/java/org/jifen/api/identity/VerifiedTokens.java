package org.jifen.api.identity;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

/**
 * Verifies each bearer token once: a client sends the same access token with every
 * request, and checking its RSA signature and claims again each time was a fair share of
 * a short request's CPU. A verified token is kept until it expires (never longer); a
 * token that fails verification is never kept, so it is refused every time.
 */
final class VerifiedTokens implements ReactiveJwtDecoder {

	/** More signed-in clients than one instance serves; past it the cache starts over. */
	private static final int MAX_KEPT = 20_000;

	private final ReactiveJwtDecoder verifier;

	private final Map<String, Jwt> verified = new ConcurrentHashMap<>();

	VerifiedTokens(ReactiveJwtDecoder verifier) {
		this.verifier = verifier;
	}

	@Override
	public Mono<Jwt> decode(String token) throws JwtException {
		Jwt known = this.verified.get(token);
		if (known != null) {
			if (unexpired(known)) {
				return Mono.just(known);
			}
			this.verified.remove(token);
		}
		return this.verifier.decode(token).doOnNext((jwt) -> {
			if (jwt.getExpiresAt() != null && unexpired(jwt)) {
				if (this.verified.size() >= MAX_KEPT) {
					this.verified.clear();
				}
				this.verified.put(token, jwt);
			}
		});
	}

	private boolean unexpired(Jwt jwt) {
		Instant expiresAt = jwt.getExpiresAt();
		// The system clock, as the verifier's own expiry check uses.
		return expiresAt != null && Instant.now().isBefore(expiresAt);
	}

}
