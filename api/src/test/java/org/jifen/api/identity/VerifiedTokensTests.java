package org.jifen.api.identity;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class VerifiedTokensTests {

	private final AtomicInteger verifications = new AtomicInteger();

	@Test
	void verifiesAValidTokenOnce() {
		VerifiedTokens tokens = new VerifiedTokens((token) -> verified(token, Instant.now().plusSeconds(600)));
		assertThat(tokens.decode("a").block().getSubject()).isEqualTo("a");
		assertThat(tokens.decode("a").block().getSubject()).isEqualTo("a");
		assertThat(this.verifications).hasValue(1);
	}

	@Test
	void neverKeepsAnExpiredToken() {
		VerifiedTokens tokens = new VerifiedTokens((token) -> verified(token, Instant.now().minusSeconds(1)));
		tokens.decode("a").block();
		tokens.decode("a").block();
		assertThat(this.verifications).hasValue(2);
	}

	@Test
	void refusesABadTokenEveryTime() {
		VerifiedTokens tokens = new VerifiedTokens((token) -> {
			this.verifications.incrementAndGet();
			return Mono.error(new BadJwtException("forged"));
		});
		for (int i = 0; i < 2; i++) {
			assertThatExceptionOfType(BadJwtException.class).isThrownBy(() -> tokens.decode("a").block());
		}
		assertThat(this.verifications).hasValue(2);
	}

	private Mono<Jwt> verified(String token, Instant expiresAt) {
		this.verifications.incrementAndGet();
		return Mono.just(Jwt.withTokenValue(token)
			.header("alg", "RS256")
			.subject(token)
			.issuedAt(expiresAt.minusSeconds(900))
			.expiresAt(expiresAt)
			.build());
	}

}
