package org.jifen.api.support;

import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Caller;
import org.jifen.api.identity.Grant;
import org.jifen.api.identity.Role;
import org.jifen.api.village.MemberId;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Real accounts and real sign-ins for tests: staff through the password login, villagers
 * through the mini-program login with a dev code.
 */
public final class SignedIn {

	public static final String PASSWORD = "correct horse battery staple";

	private SignedIn() {
	}

	/**
	 * Creates a staff account holding one role in one region and signs it in; the access
	 * token.
	 */
	public static String staff(WebTestClient http, Accounts accounts, String username, Role role, long regionId) {
		accounts.createStaff(username, username, PASSWORD, List.of(Grant.inRegion(role, regionId))).block();
		return login(http, username, PASSWORD).get("accessToken").asString();
	}

	/** Binds a dev openid to a member and signs the villager in; the access token. */
	/**
	 * A staff account with one role, as the caller object service-level tests act with
	 * (no token).
	 */
	public static Caller staffCaller(Accounts accounts, String username, Role role, long regionId) {
		List<Grant> grants = List.of(Grant.inRegion(role, regionId));
		long userId = accounts.createStaff(username, username, PASSWORD, grants).block();
		return new Caller(userId, null, username, grants);
	}

	public static String villager(WebTestClient http, Accounts accounts, String name, MemberId member) {
		accounts.bindVillager("dev-openid-" + name, member, List.of()).block();
		return wechat(http, "dev-" + name, null).get("accessToken").asString();
	}

	public static JsonNode login(WebTestClient http, String username, String password) {
		return http.post()
			.uri("/api/v1/auth/login")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("username", username, "password", password))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
	}

	public static JsonNode wechat(WebTestClient http, String code, String inviteCode) {
		Map<String, String> body = (inviteCode != null) ? Map.of("code", code, "inviteCode", inviteCode)
				: Map.of("code", code);
		return http.post()
			.uri("/api/v1/auth/wechat")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
	}

}
