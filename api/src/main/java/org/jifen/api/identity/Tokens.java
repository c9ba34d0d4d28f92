package org.jifen.api.identity;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import org.jspecify.annotations.Nullable;
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
import org.springframework.transaction.reactive.TransactionalOperator;

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

	private final TransactionalOperator transactions;

	Tokens(IdentityRepository repository, JwtEncoder encoder, RSAKey tokenSigningKey, IdentityProperties properties,
			Clock clock, TransactionalOperator transactions) {
		this.transactions = transactions;
		this.repository = repository;
		this.encoder = encoder;
		this.signingKey = tokenSigningKey;
		this.properties = properties;
		this.clock = clock;
	}

	/** A new login: a new refresh-token family. */
	Mono<TokenPair> issue(long userId) {
		UUID family = Secrets.familyId();
		return this.repository.insertFamily(family, userId).then(issue(userId, family));
	}

	/**
	 * Rotates a refresh token. The family row is locked while the old token is marked
	 * used and the new one written, so a logout or a reuse detection racing the refresh
	 * always wins cleanly.
	 */
	Mono<TokenPair> refresh(String refreshToken) {
		byte[] hash = Secrets.hash(refreshToken);
		Instant now = this.clock.instant();
		return this.repository.lockRefresh(hash, now).flatMap((state) -> {
			if (state.dead()) {
				return Mono.just(Rotation.invalid());
			}
			if (state.used()) {
				return Mono.just(Rotation.reused(state.family()));
			}
			return this.repository.markUsed(hash, now)
				.then(issue(state.userId(), state.family()))
				.map(Rotation::rotated);
		}).as(this.transactions::transactional).defaultIfEmpty(Rotation.invalid()).flatMap((rotation) -> {
			if (rotation.tokens() != null) {
				return Mono.just(rotation.tokens());
			}
			if (rotation.reusedFamily() != null) {
				// Committed on its own: the refusal below must not roll the revocation
				// back.
				return this.repository.revokeFamily(rotation.reusedFamily(), now)
					.as(this.transactions::transactional)
					.then(Mono.error(new DomainException(Kind.UNAUTHENTICATED, "refresh-token-reused",
							"This refresh token was already used; every session of this login is now ended.")));
			}
			return Mono.error(new DomainException(Kind.UNAUTHENTICATED, "refresh-token-invalid",
					"The refresh token is unknown, expired or revoked; sign in again."));
		});
	}

	/** Ends the login the refresh token belongs to. Unknown tokens are ignored. */
	Mono<Void> revoke(String refreshToken) {
		return this.repository.familyOf(Secrets.hash(refreshToken))
			.flatMap((family) -> this.repository.revokeFamily(family, this.clock.instant()))
			.as(this.transactions::transactional);
	}

	/** How a refresh ended: new tokens, a replayed token's family, or nothing usable. */
	private record Rotation(@Nullable TokenPair tokens, @Nullable UUID reusedFamily) {

		static Rotation rotated(TokenPair tokens) {
			return new Rotation(tokens, null);
		}

		static Rotation reused(UUID family) {
			return new Rotation(null, family);
		}

		static Rotation invalid() {
			return new Rotation(null, null);
		}

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
