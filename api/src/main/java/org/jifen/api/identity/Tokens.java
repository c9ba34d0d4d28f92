package org.jifen.api.identity;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.stereotype.Component;

/**
 * Issues our tokens. An access token is a JWT of about 15 minutes; a refresh token lasts
 * about 30 days, is stored hashed, and is rotated on every use. A refresh token presented
 * a second time means it was stolen or replayed: the whole family (that login) is
 * revoked.
 */
@Component
class Tokens {

	private final IdentityRepository repository;

	private final JwtEncoder encoder;

	private final RSAKey signingKey;

	private final IdentityProperties properties;

	private final Clock clock;

	Tokens(IdentityRepository repository, JwtEncoder encoder, RSAKey tokenSigningKey, IdentityProperties properties,
			Clock clock) {
		this.repository = repository;
		this.encoder = encoder;
		this.signingKey = tokenSigningKey;
		this.properties = properties;
		this.clock = clock;
	}

	/** A new login: a new refresh-token family. */
	Mono<TokenPair> issue(long userId) {
		return issue(userId, Secrets.familyId());
	}

	Mono<TokenPair> refresh(String refreshToken) {
		byte[] hash = Secrets.hash(refreshToken);
		Instant now = this.clock.instant();
		return this.repository.useRefresh(hash, now)
			.flatMap((used) -> issue(used.userId(), used.family()))
			.switchIfEmpty(Mono.defer(() -> this.repository.findRefresh(hash)
				.flatMap((known) -> (known.used() && !known.revoked())
						? this.repository.revokeFamily(known.family(), now)
							.then(Mono.<TokenPair>error(new DomainException(Kind.UNAUTHENTICATED,
									"refresh-token-reused",
									"This refresh token was already used; every session of this login is now ended.")))
						: Mono.<TokenPair>empty())
				.switchIfEmpty(Mono.error(() -> new DomainException(Kind.UNAUTHENTICATED, "refresh-token-invalid",
						"The refresh token is unknown, expired or revoked; sign in again.")))));
	}

	/** Ends the login the refresh token belongs to. Unknown tokens are ignored. */
	Mono<Void> revoke(String refreshToken) {
		return this.repository.findRefresh(Secrets.hash(refreshToken))
			.flatMap((known) -> this.repository.revokeFamily(known.family(), this.clock.instant()));
	}

	private Mono<TokenPair> issue(long userId, UUID family) {
		Instant now = this.clock.instant();
		var jwt = this.properties.jwt();
		String refreshToken = Secrets.refreshToken();
		return this.repository.user(userId)
			.zipWith(this.repository.grantsOf(userId).map(Grant::toClaim).collectList())
			.flatMap((userAndGrants) -> {
				var user = userAndGrants.getT1();
				JwtClaimsSet.Builder claims = JwtClaimsSet.builder()
					.issuer(jwt.issuer())
					.subject(String.valueOf(user.id()))
					.issuedAt(now)
					.expiresAt(now.plus(jwt.accessTokenValidity()))
					.claim("uid", user.id())
					.claim("name", user.displayName())
					.claim("grants", userAndGrants.getT2());
				if (user.memberId() != null) {
					claims.claim("member", user.memberId());
				}
				JwtEncoderParameters parameters = JwtEncoderParameters.from(
						JwsHeader.with(SignatureAlgorithm.RS256).keyId(this.signingKey.getKeyID()).build(),
						claims.build());
				// RSA signing draws blinding values from the OS's SecureRandom, a
				// blocking read.
				return Mono.fromCallable(() -> this.encoder.encode(parameters).getTokenValue())
					.subscribeOn(Schedulers.boundedElastic())
					.flatMap((accessToken) -> this.repository
						.insertRefresh(Secrets.hash(refreshToken), family, user.id(),
								now.plus(jwt.refreshTokenValidity()))
						.thenReturn(new TokenPair(accessToken, jwt.accessTokenValidity().toSeconds(), refreshToken,
								jwt.refreshTokenValidity().toSeconds())));
			});
	}

	/** The public half of the signing key, as published at /.well-known/jwks.json. */
	Map<String, Object> jwks() {
		return new JWKSet(this.signingKey.toPublicJWK()).toJSONObject();
	}

}
