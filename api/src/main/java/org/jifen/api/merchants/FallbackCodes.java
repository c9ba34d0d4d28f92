package org.jifen.api.merchants;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.jifen.api.audit.AuditTrail;
import org.jifen.api.identity.Caller;
import org.jifen.api.privacy.Randoms;
import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.transaction.support.DefaultTransactionDefinition;

/**
 * The 6-digit fallback of a code, for tills without a scanner. Short-lived derived state
 * in Redis: {@code merchants:fallback:<merchant>:<digits>} holds the signed token for a
 * little longer than the token lives, so it is only valid at the merchant of the offer
 * the villager chose. Failed attempts are counted per merchant and per typed code within
 * a window; at the limit typing is locked for the rest of the window (429
 * {@code code-attempts-exceeded}), and each failure lands in the audit trail. A Redis
 * flush loses live fallbacks: the villager asks for a new code. Each operation subscribes
 * on {@code boundedElastic}: Spring Data's shared Lettuce connection is made on first use
 * by a blocking connect.
 */
@Component
class FallbackCodes {

	private static final Logger log = LoggerFactory.getLogger(FallbackCodes.class);

	private static final int TRIES = 8;

	private static final Duration AUDIT_WAIT = Duration.ofSeconds(1);

	private final ReactiveStringRedisTemplate redis;

	private final AuditTrail auditTrail;

	private final MerchantProperties properties;

	/**
	 * A failure is audited even though the request fails: the request's own transaction
	 * (an {@code Idempotency-Key} opens one) rolls back.
	 */
	private final TransactionalOperator ownTransaction;

	private final SecureRandom random = Randoms.nonBlocking();

	FallbackCodes(ReactiveStringRedisTemplate redis, AuditTrail auditTrail, MerchantProperties properties,
			ReactiveTransactionManager transactionManager) {
		this.redis = redis;
		this.auditTrail = auditTrail;
		this.properties = properties;
		this.ownTransaction = TransactionalOperator.create(transactionManager,
				new DefaultTransactionDefinition(TransactionDefinition.PROPAGATION_REQUIRES_NEW));
	}

	/** Stores a token under fresh digits unique among the merchant's live codes. */
	Mono<String> issue(long merchantId, String token) {
		Duration ttl = this.properties.codeValidity().plusSeconds(60);
		return Mono.defer(() -> {
			String digits = String.format("%06d", this.random.nextInt(1_000_000));
			return this.redis.opsForValue()
				.setIfAbsent(codeKey(merchantId, digits), token, ttl)
				.flatMap((stored) -> Boolean.TRUE.equals(stored) ? Mono.just(digits) : Mono.empty());
		})
			.repeatWhenEmpty(TRIES, (empty) -> empty)
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.UNAVAILABLE, "code-unavailable",
					"No fallback code is free at this merchant right now; try again.")))
			.subscribeOn(Schedulers.boundedElastic());
	}

	/** The token typed digits stand for at this merchant, within the attempt limits. */
	Mono<String> resolve(Caller caller, Merchant merchant, String digits) {
		String merchantAttempts = "merchants:attempts:" + merchant.id();
		String codeAttempts = merchantAttempts + ":" + digits;
		return locked(merchantAttempts).switchIfEmpty(locked(codeAttempts))
			.flatMap(Mono::<String>error)
			.switchIfEmpty(Mono.defer(() -> this.redis.opsForValue().get(codeKey(merchant.id(), digits))))
			.switchIfEmpty(Mono.defer(() -> failed(caller, merchant, merchantAttempts, codeAttempts)))
			.subscribeOn(Schedulers.boundedElastic());
	}

	/** Forgets a used fallback (best effort: the code's nonce is single use anyway). */
	Mono<Void> forget(long merchantId, String digits) {
		return this.redis.delete(codeKey(merchantId, digits)).onErrorResume((error) -> {
			log.warn("Could not forget a used fallback code: {}", error.toString());
			return Mono.empty();
		}).then().subscribeOn(Schedulers.boundedElastic());
	}

	private Mono<DomainException> locked(String key) {
		return this.redis.opsForValue()
			.get(key)
			.filter((count) -> Long.parseLong(count) >= this.properties.fallbackAttempts())
			.flatMap((count) -> this.redis.getExpire(key))
			.map((left) -> new DomainException(Kind.THROTTLED, "code-attempts-exceeded",
					"Too many wrong codes at this merchant; scan the QR code or wait " + left.toSeconds() + " s.",
					Map.of("retryAfterSeconds", Math.max(1, left.toSeconds()))));
	}

	private Mono<String> failed(Caller caller, Merchant merchant, String merchantAttempts, String codeAttempts) {
		return count(merchantAttempts).zipWith(count(codeAttempts))
			.flatMap((counts) -> this.auditTrail
				.record(caller.actor(), merchant.homeRegionId(), "fallback-code.failed", "merchant:" + merchant.id(),
						null, Map.of("attempts", counts.getT1()))
				.as(this.ownTransaction::transactional)
				// The request's own transaction holds a connection already: when the pool
				// is short (a burst of wrong codes), the log line stands in for the audit
				// rather than every till waiting for a connection.
				.timeout(AUDIT_WAIT)
				.onErrorResume((error) -> {
					log.warn("Wrong fallback code at merchant {} by user {} ({} attempts), not audited: {}",
							merchant.id(), caller.userId(), counts.getT1(), error.toString());
					return Mono.empty();
				})
				.then(Mono.error(new DomainException(Kind.REFUSED, "code-invalid",
						"No live code has these digits at this merchant.",
						Map.of("attemptsLeft", Math.max(0, this.properties.fallbackAttempts() - counts.getT1()))))));
	}

	private Mono<Long> count(String key) {
		return this.redis.opsForValue()
			.increment(key)
			.flatMap((count) -> (count == 1)
					? this.redis.expire(key, this.properties.fallbackWindow()).thenReturn(count) : Mono.just(count));
	}

	private static String codeKey(long merchantId, String digits) {
		return "merchants:fallback:" + merchantId + ":" + digits;
	}

}
