package org.jifen.api.identity;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;

/**
 * The two ways in: a villager's mini-program login through WeChat, and staff username and
 * password with a lockout after repeated failures.
 */
@Service
class SignIn {

	/**
	 * Compared against when the username is unknown, so both cases take the same time.
	 */
	private final String noSuchUserHash;

	private final IdentityRepository repository;

	private final Accounts accounts;

	private final Tokens tokens;

	private final WeChat weChat;

	private final PasswordEncoder passwords;

	private final IdentityProperties properties;

	private final Clock clock;

	SignIn(IdentityRepository repository, Accounts accounts, Tokens tokens, WeChat weChat, PasswordEncoder passwords,
			IdentityProperties properties, Clock clock) {
		this.repository = repository;
		this.accounts = accounts;
		this.tokens = tokens;
		this.weChat = weChat;
		this.passwords = passwords;
		this.properties = properties;
		this.clock = clock;
		this.noSuchUserHash = passwords.encode("no such user");
	}

	Mono<TokenPair> wechat(String code, @Nullable String inviteCode) {
		return this.weChat.openid(code)
			.flatMap((openid) -> this.repository.userByOpenid(openid)
				.switchIfEmpty(Mono.defer(() -> (inviteCode == null || inviteCode.isBlank()) ? Mono
					.error(new DomainException(Kind.UNAUTHENTICATED, "wechat-not-bound",
							"This WeChat account is not bound to a villager yet: enter the invite code from your village."))
						: this.accounts.bindWithInvite(openid, inviteCode))))
			.flatMap(this.tokens::issue);
	}

	Mono<TokenPair> staff(String username, String password) {
		return this.repository.findStaff(username).flatMap((staff) -> {
			Instant now = this.clock.instant();
			var lockout = this.properties.lockout();
			return this.repository.beginAttempt(staff.id(), now, lockout.maxFailures(), now.plus(lockout.duration()))
				.switchIfEmpty(Mono.error(() -> locked(staff.lockedUntil(), now)))
				.flatMap((attempt) -> matches(password, attempt.passwordHash()).flatMap((matches) -> matches
						? this.repository.resetFailures(attempt.id()).then(this.tokens.issue(attempt.id()))
						: Mono.error((attempt.lockedUntil() != null) ? locked(attempt.lockedUntil(), now)
								: invalidCredentials())));
		})
			.switchIfEmpty(
					Mono.defer(() -> matches(password, this.noSuchUserHash).then(Mono.error(invalidCredentials()))));
	}

	private Mono<Boolean> matches(String password, String hash) {
		return Mono.fromCallable(() -> this.passwords.matches(password, hash)).subscribeOn(Schedulers.boundedElastic());
	}

	private static DomainException invalidCredentials() {
		return new DomainException(Kind.UNAUTHENTICATED, "invalid-credentials", "Wrong username or password.");
	}

	private static DomainException locked(@Nullable Instant until, Instant now) {
		long seconds = (until != null) ? Math.max(1, Duration.between(now, until).toSeconds()) : 60;
		return new DomainException(Kind.THROTTLED, "login-locked",
				"Too many wrong passwords; try again in " + seconds + " seconds.",
				Map.of("retryAfterSeconds", seconds));
	}

}
