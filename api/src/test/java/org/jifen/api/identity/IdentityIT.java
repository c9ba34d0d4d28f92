package org.jifen.api.identity;

import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.jifen.api.support.Fixtures;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.SignedIn;
import org.jifen.api.village.Household;
import org.jifen.api.village.Region;
import org.jifen.api.village.Villages;
import org.jifen.api.web.PageRequest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Signing in and staying signed in, against the real stack: dev-code login, binding with
 * an invite code, staff login and lockout, refresh rotation and reuse detection, logout,
 * and tokens that must be refused.
 */
class IdentityIT extends IntegrationTest {

	@Autowired
	private Villages villages;

	@Autowired
	private Accounts accounts;

	@Autowired
	private JwtEncoder encoder;

	private Region village;

	private Household household;

	private String adminToken;

	@BeforeEach
	void aVillageWithAnAdmin() {
		services().wipe();
		this.village = Fixtures.village(this.villages, "identity");
		this.villages.registerHouseholds(this.village.id(), List.of(Fixtures.household("001", "张小明"))).block();
		this.household = this.villages
			.household(this.villages.households(this.village.id(), PageRequest.of(null, 1)).block().items().get(0).id())
			.block();
		this.adminToken = SignedIn.staff(this.http, this.accounts, "admin", Role.VILLAGE_ADMIN,
				this.village.id().value());
	}

	@Test
	void anUnboundWeChatAccountIsToldToBind() {
		wechatLogin("dev-stranger", null).expectStatus()
			.isUnauthorized()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:wechat-not-bound");
	}

	@Test
	void anInvalidWeChatCodeIsRefused() {
		wechatLogin("not-a-dev-code", null).expectStatus()
			.isUnauthorized()
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:wechat-code-invalid");
	}

	@Test
	void anInviteCodeBindsOnceAndTheVillagerSignsInAfterwards() {
		long memberId = this.household.members().get(0).id().value();
		String code = issueInvite(memberId);

		JsonNode tokens = SignedIn.wechat(this.http, "dev-zhang", code);
		me(tokens.get("accessToken").asString()).jsonPath("$.memberId")
			.isEqualTo(memberId)
			.jsonPath("$.grants[0].role")
			.isEqualTo("VILLAGER")
			.jsonPath("$.grants[0].regionId")
			.isEqualTo(this.village.id().value());

		wechatLogin("dev-someone-else", code).expectStatus()
			.isUnauthorized()
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:invite-code-invalid");
		wechatLogin("dev-zhang", null).expectStatus().isOk();
		assertThat(services().count("select count(*) from audit_entry where action = 'invite-code.issued'")).isOne();
	}

	@Test
	void anExpiredInviteCodeBindsNothing() {
		String code = issueInvite(this.household.members().get(1).id().value());
		services().count("with expired as (update invite_code set expires_at = now() - interval '1 minute' "
				+ "returning 1) select count(*) from expired");

		wechatLogin("dev-late", code).expectStatus()
			.isUnauthorized()
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:invite-code-invalid");
		assertThat(services().count("select count(*) from wechat_binding")).isZero();
	}

	@Test
	void onlyTheVillagesAdminIssuesInviteCodes() {
		Region other = Fixtures.village(this.villages, "identity-other");
		String outsider = SignedIn.staff(this.http, this.accounts, "outsider", Role.VILLAGE_ADMIN, other.id().value());
		this.http.post()
			.uri("/api/v1/members/{id}/invite-codes", this.household.members().get(0).id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + outsider)
			.exchange()
			.expectStatus()
			.isForbidden()
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:forbidden");
	}

	@Test
	void staffSignInWithTheirPassword() {
		JsonNode tokens = SignedIn.login(this.http, "admin", SignedIn.PASSWORD);
		assertThat(tokens.get("tokenType").asString()).isEqualTo("Bearer");
		assertThat(tokens.get("expiresIn").asLong()).isEqualTo(900);
		me(tokens.get("accessToken").asString()).jsonPath("$.grants[0].role").isEqualTo("VILLAGE_ADMIN");
	}

	@Test
	void wrongPasswordsLockTheAccountAfterFiveTries() {
		for (int i = 0; i < 4; i++) {
			login("admin", "wrong").expectStatus()
				.isUnauthorized()
				.expectBody()
				.jsonPath("$.type")
				.isEqualTo("urn:jifen:problem:invalid-credentials");
		}
		login("admin", "wrong").expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS);

		login("admin", SignedIn.PASSWORD).expectStatus()
			.isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
			.expectHeader()
			.exists(HttpHeaders.RETRY_AFTER)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:login-locked");

		// Once the lock has run out, the count starts again: one more wrong password is
		// just wrong.
		services().count("with expired as (update app_user set locked_until = now() - interval '1 second' "
				+ "where username = 'admin' returning 1) select count(*) from expired");
		login("admin", "wrong").expectStatus().isUnauthorized();
		login("admin", SignedIn.PASSWORD).expectStatus().isOk();
	}

	@Test
	void anUnknownUserLooksLikeAWrongPassword() {
		login("nobody", "whatever").expectStatus()
			.isUnauthorized()
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:invalid-credentials");
	}

	@Test
	void refreshRotatesAndAReusedTokenEndsTheWholeLogin() {
		JsonNode first = SignedIn.login(this.http, "admin", SignedIn.PASSWORD);
		JsonNode second = refresh(first.get("refreshToken").asString()).expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		assertThat(second.get("refreshToken").asString()).isNotEqualTo(first.get("refreshToken").asString());
		me(second.get("accessToken").asString()).jsonPath("$.name").isEqualTo("admin");

		refresh(first.get("refreshToken").asString()).expectStatus()
			.isUnauthorized()
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:refresh-token-reused");
		refresh(second.get("refreshToken").asString()).expectStatus()
			.isUnauthorized()
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:refresh-token-invalid");
	}

	@Test
	void logoutEndsTheLogin() {
		JsonNode tokens = SignedIn.login(this.http, "admin", SignedIn.PASSWORD);
		this.http.post()
			.uri("/api/v1/auth/logout")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("refreshToken", tokens.get("refreshToken").asString()))
			.exchange()
			.expectStatus()
			.isNoContent();
		refresh(tokens.get("refreshToken").asString()).expectStatus().isUnauthorized();
	}

	@Test
	void expiredForgedAndMissingTokensAreRefused() throws Exception {
		Instant past = Instant.now().minusSeconds(3600);
		String expired = this.encoder.encode(JwtEncoderParameters.from(JwsHeader.with(SignatureAlgorithm.RS256).build(),
				claims().issuedAt(past.minusSeconds(900)).expiresAt(past).build()))
			.getTokenValue();
		var generator = KeyPairGenerator.getInstance("RSA");
		generator.initialize(2048);
		var pair = generator.generateKeyPair();
		RSAKey otherKey = new RSAKey.Builder((RSAPublicKey) pair.getPublic())
			.privateKey((RSAPrivateKey) pair.getPrivate())
			.keyID("forger")
			.build();
		String forged = new NimbusJwtEncoder(new ImmutableJWKSet<>(new JWKSet(otherKey)))
			.encode(JwtEncoderParameters.from(JwsHeader.with(SignatureAlgorithm.RS256).build(), claims().build()))
			.getTokenValue();
		String tampered = this.adminToken.substring(0, this.adminToken.lastIndexOf('.') - 4) + "AAAA"
				+ this.adminToken.substring(this.adminToken.lastIndexOf('.'));

		for (String token : List.of(expired, forged, tampered, "not.a.token")) {
			households(token).expectStatus()
				.isUnauthorized()
				.expectHeader()
				.contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody()
				.jsonPath("$.type")
				.isEqualTo("urn:jifen:problem:invalid-token");
		}
		this.http.get()
			.uri("/api/v1/villages/{id}/households", this.village.id().value())
			.exchange()
			.expectStatus()
			.isUnauthorized()
			.expectHeader()
			.valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:unauthenticated");
		households(this.adminToken).expectStatus().isOk();
	}

	@Test
	void theSigningKeyIsPublished() {
		this.http.get()
			.uri("/.well-known/jwks.json")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.keys[0].kty")
			.isEqualTo("RSA")
			.jsonPath("$.keys[0].d")
			.doesNotExist();
	}

	private JwtClaimsSet.Builder claims() {
		return JwtClaimsSet.builder()
			.issuer("jifen")
			.subject("1")
			.issuedAt(Instant.now())
			.expiresAt(Instant.now().plusSeconds(900))
			.claim("uid", 1)
			.claim("grants", List.of("COUNTY_ADMIN:" + this.village.id().value()));
	}

	private String issueInvite(long memberId) {
		return this.http.post()
			.uri("/api/v1/members/{id}/invite-codes", memberId)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.adminToken)
			.exchange()
			.expectStatus()
			.isCreated()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody()
			.get("code")
			.asString();
	}

	private WebTestClient.ResponseSpec wechatLogin(String code, String inviteCode) {
		Map<String, String> body = (inviteCode != null) ? Map.of("code", code, "inviteCode", inviteCode)
				: Map.of("code", code);
		return this.http.post()
			.uri("/api/v1/auth/wechat")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange();
	}

	private WebTestClient.ResponseSpec login(String username, String password) {
		return this.http.post()
			.uri("/api/v1/auth/login")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("username", username, "password", password))
			.exchange();
	}

	private WebTestClient.ResponseSpec refresh(String refreshToken) {
		// Mini-programs send their (possibly stale) token on every call; sign-in routes
		// ignore it.
		return this.http.post()
			.uri("/api/v1/auth/refresh")
			.header(HttpHeaders.AUTHORIZATION, "Bearer stale.or.garbage")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("refreshToken", refreshToken))
			.exchange();
	}

	private WebTestClient.BodyContentSpec me(String accessToken) {
		return this.http.get()
			.uri("/api/v1/me")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + accessToken)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody();
	}

	private WebTestClient.ResponseSpec households(String token) {
		return this.http.get()
			.uri("/api/v1/villages/{id}/households", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.exchange();
	}

}
