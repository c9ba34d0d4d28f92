package org.jifen.api.identity;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.shared.Sql;
import org.jifen.api.village.MemberId;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for users, grants, WeChat bindings, invite codes and refresh tokens.
 */
@Repository
class IdentityRepository {

	record StaffRow(long id, String passwordHash, int failedLogins, @Nullable Instant lockedUntil) {
	}

	record UserRow(long id, String displayName, @Nullable Long memberId) {
	}

	record RefreshState(UUID family, long userId, boolean used, boolean dead) {
	}

	private final DatabaseClient database;

	IdentityRepository(DatabaseClient database) {
		this.database = database;
	}

	Mono<StaffRow> findStaff(String username) {
		return this.database
			.sql("select id, password_hash, failed_logins, locked_until from app_user where username = :username")
			.bind("username", username)
			.map((row) -> new StaffRow(row.get("id", Long.class), row.get("password_hash", String.class),
					row.get("failed_logins", Integer.class), instant(row.get("locked_until", OffsetDateTime.class))))
			.one();
	}

	/**
	 * Counts a sign-in attempt before the password is checked, so that parallel guesses
	 * cannot outrun the lockout: the attempt that reaches {@code maxFailures} locks the
	 * account, and while it is locked nothing matches (empty). An expired lock starts the
	 * count again.
	 */
	Mono<StaffRow> beginAttempt(long userId, Instant now, int maxFailures, Instant lockUntil) {
		return this.database.sql("""
				update app_user
				set failed_logins = case when locked_until <= :now then 1 else failed_logins + 1 end,
				    locked_until = case
				        when (case when locked_until <= :now then 1 else failed_logins + 1 end) >= :max then :lockUntil
				        else null end
				where id = :id and (locked_until is null or locked_until <= :now)
				returning id, password_hash, failed_logins, locked_until""")
			.bind("id", userId)
			.bind("now", now.atOffset(ZoneOffset.UTC))
			.bind("max", maxFailures)
			.bind("lockUntil", lockUntil.atOffset(ZoneOffset.UTC))
			.map((row) -> new StaffRow(row.get("id", Long.class), row.get("password_hash", String.class),
					row.get("failed_logins", Integer.class), instant(row.get("locked_until", OffsetDateTime.class))))
			.one();
	}

	Mono<Void> resetFailures(long userId) {
		return this.database.sql("update app_user set failed_logins = 0, locked_until = null where id = :id")
			.bind("id", userId)
			.then();
	}

	Mono<UserRow> user(long userId) {
		return this.database.sql("select id, display_name, member_id from app_user where id = :id")
			.bind("id", userId)
			.map((row) -> new UserRow(row.get("id", Long.class), row.get("display_name", String.class),
					row.get("member_id", Long.class)))
			.one();
	}

	Flux<Grant> grantsOf(long userId) {
		return this.database
			.sql("select role, region_id, merchant_id from role_grant where user_id = :user order by id")
			.bind("user", userId)
			.map((row) -> new Grant(Role.valueOf(row.get("role", String.class)), row.get("region_id", Long.class),
					row.get("merchant_id", Long.class)))
			.all();
	}

	Mono<Long> userByOpenid(String openid) {
		return this.database.sql("select user_id from wechat_binding where openid = :openid")
			.bind("openid", openid)
			.map((row) -> row.get("user_id", Long.class))
			.one();
	}

	Mono<Long> userByMember(long memberId) {
		return this.database.sql("select id from app_user where member_id = :member")
			.bind("member", memberId)
			.map((row) -> row.get("id", Long.class))
			.one();
	}

	Mono<Long> insertUser(String displayName, @Nullable Long memberId, @Nullable String username,
			@Nullable String passwordHash) {
		var spec = this.database.sql("""
				insert into app_user (display_name, member_id, username, password_hash)
				values (:name, :member, :username, :hash) returning id""").bind("name", displayName);
		spec = Sql.bindNullable(spec, "member", memberId, Long.class);
		spec = Sql.bindNullable(spec, "username", username, String.class);
		spec = Sql.bindNullable(spec, "hash", passwordHash, String.class);
		return spec.map((row) -> row.get("id", Long.class)).one();
	}

	Mono<Void> insertGrant(long userId, Grant grant) {
		var spec = this.database.sql("""
				insert into role_grant (user_id, role, region_id, merchant_id) values (:user, :role, :region, :merchant)
				on conflict do nothing""").bind("user", userId).bind("role", grant.role().name());
		spec = Sql.bindNullable(spec, "region", grant.regionId(), Long.class);
		spec = Sql.bindNullable(spec, "merchant", grant.merchantId(), Long.class);
		return spec.then();
	}

	Mono<Void> insertBinding(String openid, long userId) {
		return this.database.sql("insert into wechat_binding (openid, user_id) values (:openid, :user)")
			.bind("openid", openid)
			.bind("user", userId)
			.then();
	}

	Mono<Void> insertInvite(byte[] codeHash, long memberId, long issuedBy, Instant expiresAt) {
		return this.database.sql("""
				insert into invite_code (code_hash, member_id, issued_by, expires_at)
				values (:hash, :member, :issuedBy, :expiresAt)""")
			.bind("hash", codeHash)
			.bind("member", memberId)
			.bind("issuedBy", issuedBy)
			.bind("expiresAt", expiresAt.atOffset(ZoneOffset.UTC))
			.then();
	}

	/**
	 * Uses an invite code if it is known, unused and unexpired; the member it was issued
	 * for.
	 */
	Mono<Long> claimInvite(byte[] codeHash, Instant now) {
		return this.database.sql("""
				update invite_code set used_at = :now
				where code_hash = :hash and used_at is null and expires_at > :now
				returning member_id""")
			.bind("hash", codeHash)
			.bind("now", now.atOffset(ZoneOffset.UTC))
			.map((row) -> row.get("member_id", Long.class))
			.one();
	}

	Mono<Void> insertFamily(UUID family, long userId) {
		return this.database.sql("insert into refresh_family (id, user_id) values (:family, :user)")
			.bind("family", family)
			.bind("user", userId)
			.then();
	}

	Mono<Void> insertRefresh(byte[] tokenHash, UUID family, long userId, Instant expiresAt) {
		return this.database.sql("""
				insert into refresh_token (token_hash, family_id, user_id, expires_at)
				values (:hash, :family, :user, :expiresAt)""")
			.bind("hash", tokenHash)
			.bind("family", family)
			.bind("user", userId)
			.bind("expiresAt", expiresAt.atOffset(ZoneOffset.UTC))
			.then();
	}

	/**
	 * A refresh token's state, locking its family row for the rest of the transaction.
	 */
	Mono<RefreshState> lockRefresh(byte[] tokenHash, Instant now) {
		return this.database.sql("""
				select t.family_id, t.user_id, t.used_at is not null as used,
				       (t.revoked_at is not null or f.revoked_at is not null or t.expires_at <= :now) as dead
				from refresh_token t join refresh_family f on f.id = t.family_id
				where t.token_hash = :hash
				for update of f""")
			.bind("hash", tokenHash)
			.bind("now", now.atOffset(ZoneOffset.UTC))
			.map((row) -> new RefreshState(row.get("family_id", UUID.class), row.get("user_id", Long.class),
					Boolean.TRUE.equals(row.get("used", Boolean.class)),
					Boolean.TRUE.equals(row.get("dead", Boolean.class))))
			.one();
	}

	Mono<Void> markUsed(byte[] tokenHash, Instant now) {
		return this.database.sql("update refresh_token set used_at = :now where token_hash = :hash")
			.bind("hash", tokenHash)
			.bind("now", now.atOffset(ZoneOffset.UTC))
			.then();
	}

	Mono<UUID> familyOf(byte[] tokenHash) {
		return this.database.sql("select family_id from refresh_token where token_hash = :hash")
			.bind("hash", tokenHash)
			.map((row) -> row.get("family_id", UUID.class))
			.one();
	}

	/** Ends a login: the family and every token in it. */
	Mono<Void> revokeFamily(UUID family, Instant now) {
		return this.database.sql("update refresh_family set revoked_at = coalesce(revoked_at, :now) where id = :family")
			.bind("family", family)
			.bind("now", now.atOffset(ZoneOffset.UTC))
			.then()
			.then(this.database
				.sql("update refresh_token set revoked_at = :now where family_id = :family and revoked_at is null")
				.bind("family", family)
				.bind("now", now.atOffset(ZoneOffset.UTC))
				.then());
	}

	private static @Nullable Instant instant(@Nullable OffsetDateTime time) {
		return (time != null) ? time.toInstant() : null;
	}

	/** The users of members, each with one of their WeChat openids if bound. */
	Flux<MemberUser> usersOfMerchant(long merchantId) {
		return this.database.sql("""
				select u.id, min(w.openid) as openid
				from role_grant g join app_user u on u.id = g.user_id left join wechat_binding w on w.user_id = u.id
				where g.role = 'MERCHANT_STAFF' and g.merchant_id = :merchant
				group by u.id
				order by u.id""")
			.bind("merchant", merchantId)
			.map((row) -> new MemberUser(row.get("id", Long.class), null, row.get("openid", String.class)))
			.all();
	}

	Flux<MemberUser> usersOfMembers(List<Long> memberIds) {
		return this.database.sql("""
				select u.id, u.member_id, min(w.openid) as openid
				from app_user u left join wechat_binding w on w.user_id = u.id
				where u.member_id = any(:members)
				group by u.id, u.member_id
				order by u.id""")
			.bind("members", memberIds.toArray(Long[]::new))
			.map((row) -> new MemberUser(row.get("id", Long.class), new MemberId(row.get("member_id", Long.class)),
					row.get("openid", String.class)))
			.all();
	}

	Flux<String> openidsOf(long userId) {
		return this.database.sql("select openid from wechat_binding where user_id = :user order by openid")
			.bind("user", userId)
			.map((row) -> row.get("openid", String.class))
			.all();
	}

}
