package org.jifen.api.identity;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.jifen.api.audit.AuditTrail;
import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.jifen.api.village.MemberHome;
import org.jifen.api.village.MemberId;
import org.jifen.api.village.Villages;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Accounts and what binds them: staff with passwords, villagers bound to a member through
 * WeChat, the roles they hold, and the invite codes that bind them.
 */
@Service
public class Accounts {

	private final IdentityRepository repository;

	private final PasswordEncoder passwords;

	private final Villages villages;

	private final AuditTrail auditTrail;

	private final IdentityProperties properties;

	private final Clock clock;

	Accounts(IdentityRepository repository, PasswordEncoder passwords, Villages villages, AuditTrail auditTrail,
			IdentityProperties properties, Clock clock) {
		this.repository = repository;
		this.passwords = passwords;
		this.villages = villages;
		this.auditTrail = auditTrail;
		this.properties = properties;
		this.clock = clock;
	}

	/** The users who sign in as these members (villagers with the mini-program). */
	public Flux<MemberUser> usersOfMembers(List<MemberId> members) {
		return members.isEmpty() ? Flux.empty()
				: this.repository.usersOfMembers(members.stream().map(MemberId::value).toList());
	}

	/** The staff accounts of a merchant, to be told of its redemptions. */
	public Flux<MemberUser> staffOfMerchant(long merchantId) {
		return this.repository.usersOfMerchant(merchantId);
	}

	/** The WeChat openids bound to a user. */
	public Flux<String> openidsOf(long userId) {
		return this.repository.openidsOf(userId);
	}

	/** Creates a staff account; the password is hashed off the event loop. */
	@Transactional
	public Mono<Long> createStaff(String username, String displayName, String password, List<Grant> grants) {
		return Mono.fromCallable(() -> this.passwords.encode(password))
			.subscribeOn(Schedulers.boundedElastic())
			.flatMap((hash) -> this.repository.insertUser(displayName, null, username, hash))
			.onErrorMap(DuplicateKeyException.class,
					(ex) -> new DomainException(Kind.CONFLICT, "username-taken",
							"The username " + username + " is taken.", Map.of("username", username)))
			.flatMap((userId) -> Flux.fromIterable(grants)
				.concatMap((grant) -> this.repository.insertGrant(userId, grant))
				.then(Mono.just(userId)));
	}

	/**
	 * Binds an openid to a member directly (the demo's villagers); grants VILLAGER in
	 * their village.
	 */
	@Transactional
	public Mono<Long> bindVillager(String openid, MemberId member, List<Grant> extraGrants) {
		return this.villages.memberHome(member)
			.flatMap((home) -> userOf(home).flatMap((userId) -> this.repository.insertBinding(openid, userId)
				.then(Flux.fromIterable(extraGrants)
					.concatMap((grant) -> this.repository.insertGrant(userId, grant))
					.then(Mono.just(userId)))));
	}

	/**
	 * Uses an invite code to bind an openid; all or nothing, so a failed binding keeps
	 * the code.
	 */
	@Transactional
	Mono<Long> bindWithInvite(String openid, String inviteCode) {
		return this.repository.claimInvite(Secrets.hash(inviteCode), this.clock.instant())
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.UNAUTHENTICATED, "invite-code-invalid",
					"The invite code is unknown, expired or already used; ask your village for a new one.")))
			.flatMap((memberId) -> this.villages.memberHome(new MemberId(memberId)))
			.flatMap((home) -> userOf(home)
				.flatMap((userId) -> this.repository.insertBinding(openid, userId).thenReturn(userId)))
			.onErrorMap(DuplicateKeyException.class, (ex) -> new DomainException(Kind.CONFLICT, "wechat-already-bound",
					"This WeChat account is already bound to a villager."));
	}

	/**
	 * Issues a one-time invite code for a member, recorded in the audit trail (without
	 * the code).
	 */
	@Transactional
	Mono<IssuedInvite> issueInvite(Caller issuer, MemberHome member) {
		String code = Secrets.inviteCode();
		Instant expiresAt = this.clock.instant().plus(this.properties.inviteCodeValidity());
		return this.repository.insertInvite(Secrets.hash(code), member.memberId().value(), issuer.userId(), expiresAt)
			.then(this.auditTrail.record(issuer.actor(), member.villageId().value(), "invite-code.issued",
					"member:" + member.memberId().value(), null, Map.of("expiresAt", expiresAt.toString())))
			.thenReturn(new IssuedInvite(code, expiresAt));
	}

	private Mono<Long> userOf(MemberHome home) {
		return this.repository.userByMember(home.memberId().value())
			.switchIfEmpty(
					Mono.defer(() -> this.repository.insertUser(home.name(), home.memberId().value(), null, null)))
			.flatMap((userId) -> this.repository
				.insertGrant(userId, Grant.inRegion(Role.VILLAGER, home.villageId().value()))
				.thenReturn(userId));
	}

	/** A fresh invite code, shown once to the admin who hands it to the villager. */
	record IssuedInvite(String code, Instant expiresAt) {
	}

}
