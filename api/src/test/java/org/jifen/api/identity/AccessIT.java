package org.jifen.api.identity;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

import org.jifen.api.catalog.Catalog;
import org.jifen.api.catalog.CatalogItemDraft;
import org.jifen.api.claims.Claim;
import org.jifen.api.claims.Claims;
import org.jifen.api.claims.NewClaim;
import org.jifen.api.merchants.Merchants;
import org.jifen.api.merchants.Offer;
import org.jifen.api.shared.Actor;
import org.jifen.api.support.Fixtures;
import org.jifen.api.tasks.NewTask;
import org.jifen.api.tasks.TaskBoard;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.SignedIn;
import org.jifen.api.village.Household;
import org.jifen.api.village.Region;
import org.jifen.api.village.RegionLevel;
import org.jifen.api.village.Villages;
import org.jifen.api.web.PageRequest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.result.method.RequestMappingInfo;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.pattern.PathPattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Walks every route the application maps, so that a new route cannot slip past: without a
 * token each is 401 unless listed here as public on purpose; with the token of another
 * village's admin each region-scoped route is 403 or 404. The audit trail is read only
 * within its region.
 */
class AccessIT extends IntegrationTest {

	/** Open without a token, on purpose (sign-in, token keys, the API document). */
	private static final Set<String> PUBLIC = Set.of("POST /api/v1/auth/wechat", "POST /api/v1/auth/login",
			"POST /api/v1/auth/refresh", "POST /api/v1/auth/logout", "GET /.well-known/jwks.json");

	/**
	 * Readable by anyone signed in, whatever their region: the region tree and one's own
	 * identity.
	 */
	private static final Set<String> ANY_SIGNED_IN = Set.of("GET /api/v1/regions", "GET /api/v1/regions/{regionId}",
			"GET /api/v1/me", "GET /api/v1/me/notifications", "GET /api/v1/me/notifications/unread-count",
			"POST /api/v1/me/notifications/{notificationId}/read", "POST /api/v1/me/notifications/read-all",
			"GET /api/v1/me/stream", "GET /api/v1/me/notification-preferences",
			"PUT /api/v1/me/notification-preferences", "POST /api/v1/me/wechat-subscriptions");

	/**
	 * Merchant routes the merchant's home-town admins use (the till's routes are for its
	 * staff).
	 */
	private static final Set<String> MERCHANT_ADMIN = Set.of("POST /api/v1/merchants/{merchantId}/staff",
			"POST /api/v1/merchants/{merchantId}/offers", "PUT /api/v1/merchants/{merchantId}/offers/{offerId}",
			"POST /api/v1/merchants/{merchantId}/offers/{offerId}/withdrawal",
			"POST /api/v1/merchants/{merchantId}/offers/{offerId}/restock");

	/** Routes whose region is named in the body rather than the path. */
	private static final Set<String> BODY_SCOPED = Set.of("POST /api/v1/regions");

	@Autowired
	@Qualifier("requestMappingHandlerMapping")
	private RequestMappingHandlerMapping mappings;

	@Autowired
	private Villages villages;

	@Autowired
	private Access access;

	@Autowired
	private Accounts accounts;

	private Region villageA;

	private Region villageB;

	private Household householdB;

	private String adminOfA;

	private long claimB;

	/** An event of village B the relay gave up on. */
	private long deadEventB;

	@Autowired
	private Catalog catalog;

	@Autowired
	private Merchants merchants;

	/** A merchant serving village B, its offer, and a staff account of it. */
	private long merchantB;

	private long offerB;

	@Autowired
	private Claims claims;

	@Autowired
	private TaskBoard tasks;

	private long taskB;

	@BeforeEach
	void twoVillages() {
		services().wipe();
		this.villageA = Fixtures.village(this.villages, "access-a");
		this.villageB = this.villages.createRegion(this.villageA.parentId(), RegionLevel.VILLAGE, "access-b", "东坪村")
			.block();
		this.villages.registerHouseholds(this.villageB.id(), List.of(Fixtures.household("001", "李四"))).block();
		this.householdB = this.villages
			.household(
					this.villages.households(this.villageB.id(), PageRequest.of(null, 1)).block().items().get(0).id())
			.block();
		this.adminOfA = SignedIn.staff(this.http, this.accounts, "admin-a", Role.VILLAGE_ADMIN,
				this.villageA.id().value());
		Caller setup = SignedIn.staffCaller(this.accounts, "setup-b", Role.VILLAGE_ADMIN, this.villageB.id().value());
		this.catalog
			.save(this.villageB.id(), new CatalogItemDraft("walk-item", "打扫村道", "美", 3, null, null, false, null, null),
					setup.actor())
			.block();
		this.claimB = this.claims
			.submit(setup, this.villageB.id(),
					new NewClaim(this.householdB.id().value(), "walk-item", Claim.Source.ORGANISATION, "打扫村道", null))
			.block()
			.id();
		Instant now = Instant.now();
		this.taskB = this.tasks
			.post(setup, this.villageB.id(),
					new NewTask("打扫村道", null, "环境整治", null, 1, 5, now.plus(Duration.ofHours(1)),
							now.plus(Duration.ofDays(1)), null, null, true, null),
					null)
			.block()
			.id();
		Caller townSetup = SignedIn.staffCaller(this.accounts, "setup-town", Role.TOWN_ADMIN,
				this.villageB.parentId().value());
		this.merchantB = this.merchants
			.enrol(townSetup, this.villageB.parentId(), "东坪德益超市", List.of(this.villageB.id().value()))
			.block()
			.id();
		this.offerB = this.merchants
			.createOffer(townSetup, this.merchantB,
					new Offer(0, this.merchantB, "理发", Offer.Type.AMOUNT_OFF, null, null, 500L, null, null, 0, null, 0,
							null, null, null, null, null, "general", false, true))
			.block()
			.id();
		this.merchants.addStaff(townSetup, this.merchantB, "till-b", "收银员", SignedIn.PASSWORD).block();
		this.deadEventB = services().count("""
				insert into outbox_event (type, village_id, ordering_key, payload, status, attempts)
				values ('walk.test', ?, ?, '{}', 'DEAD', 8) returning id""", this.villageB.id().value(),
				this.villageB.id().value());
	}

	@Test
	void everyRouteNeedsATokenUnlessPublicOnPurpose() {
		List<String> checked = new ArrayList<>();
		for (String route : applicationRoutes()) {
			if (PUBLIC.contains(route)) {
				continue;
			}
			int status = call(route, null).status();
			assertThat(status).as("%s without a token", route).isEqualTo(401);
			checked.add(route);
		}
		assertThat(checked).as("the walk found the application's routes")
			.contains("GET /api/v1/villages/{villageId}/households", "POST /api/v1/villages/{villageId}/households");
	}

	@Test
	void anotherVillagesAdminIsRefusedOnEveryRegionScopedRouteWhereTheVillagesOwnAdminIsNot() {
		String adminOfB = SignedIn.staff(this.http, this.accounts, "admin-b-walk", Role.VILLAGE_ADMIN,
				this.villageB.id().value());
		String townAdmin = SignedIn.staff(this.http, this.accounts, "town-walk", Role.TOWN_ADMIN,
				this.villageB.parentId().value());
		String tillB = SignedIn.login(this.http, "till-b", SignedIn.PASSWORD).get("accessToken").asString();
		for (String route : applicationRoutes()) {
			if (PUBLIC.contains(route) || ANY_SIGNED_IN.contains(route)) {
				continue;
			}
			assertThat(route).as("%s names the region it touches, or is listed as open to anyone signed in", route)
				.satisfiesAnyOf(
						(text) -> assertThat(text).containsAnyOf("{villageId}", "{householdId}", "{memberId}",
								"{regionId}", "{claimId}", "{townId}", "{eventId}", "{taskId}", "{merchantId}"),
						(text) -> assertThat(BODY_SCOPED).contains(text));
			Answer outsider = call(route, this.adminOfA);
			assertThat(outsider.status()).as("%s as the admin of another village", route).isIn(403, 404);
			assertThat(outsider.body()).as("%s must be a real route", route)
				.doesNotContain("urn:jifen:problem:not-found\"");
			String insiderToken = (route.contains("{townId}") || MERCHANT_ADMIN.contains(route)) ? townAdmin
					: route.contains("{merchantId}") ? tillB : adminOfB;
			Answer insider = call(route, insiderToken);
			assertThat(insider.status()).as("%s as the admin of the village itself", route).isNotIn(401, 403);
			assertThat(insider.body()).as("%s as the admin of the village itself", route)
				.doesNotContain("urn:jifen:problem:not-found\"");
		}
		assertThat(services().count("select count(*) from household where village_id = ?", this.villageB.id().value()))
			.isGreaterThanOrEqualTo(1);
	}

	@Test
	void theAuditTrailIsReadWithinItsRegionOnly() {
		String adminOfB = SignedIn.staff(this.http, this.accounts, "admin-b", Role.VILLAGE_ADMIN,
				this.villageB.id().value());
		this.http.post()
			.uri("/api/v1/villages/{id}/households", this.villageB.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + adminOfB)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("number", "002", "headName", "王五", "members",
					List.of(Map.of("name", "王五", "relation", "户主"))))
			.exchange()
			.expectStatus()
			.isCreated();
		String supervisorOfTown = SignedIn.staff(this.http, this.accounts, "town-supervisor", Role.SUPERVISOR,
				this.villageB.parentId().value());
		String supervisorOfA = SignedIn.staff(this.http, this.accounts, "supervisor-a", Role.SUPERVISOR,
				this.villageA.id().value());

		JsonNode page = this.http.get()
			.uri("/api/v1/regions/{id}/audit", this.villageB.parentId().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + supervisorOfTown)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		JsonNode entry = page.get("items")
			.valueStream()
			.filter((item) -> item.get("action").asString().equals("household.registered"))
			.findFirst()
			.orElseThrow();
		assertThat(entry.get("action").asString()).isEqualTo("household.registered");
		assertThat(entry.get("regionId").asLong()).isEqualTo(this.villageB.id().value());
		assertThat(entry.get("after").asString()).contains("\"number\": \"002\"");
		assertThat(entry.get("actorUserId").asLong())
			.isEqualTo(services().count("select id from app_user where username = 'admin-b'"));

		this.http.get()
			.uri("/api/v1/regions/{id}/audit", this.villageB.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + supervisorOfA)
			.exchange()
			.expectStatus()
			.isForbidden();
		// A supervisor reads; they never change anything.
		this.http.post()
			.uri("/api/v1/villages/{id}/households", this.villageA.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + supervisorOfA)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("number", "003", "headName", "赵六", "members",
					List.of(Map.of("name", "赵六", "relation", "户主"))))
			.exchange()
			.expectStatus()
			.isForbidden();
	}

	@Test
	void anAdminActsForAVillagerOfTheirOwnVillageOnly() {
		long memberOfB = this.householdB.members().get(0).id().value();
		Caller admin = new Caller(7, null, "admin-b2",
				List.of(Grant.inRegion(Role.VILLAGE_ADMIN, this.villageB.id().value())));
		Caller outsider = new Caller(8, null, "admin-a",
				List.of(Grant.inRegion(Role.VILLAGE_ADMIN, this.villageA.id().value())));

		assertThat(this.access.actor(admin, memberOfB).block()).isEqualTo(new Actor(7, memberOfB));
		assertThat(this.access.actor(admin, null).block()).isEqualTo(new Actor(7, null));
		StepVerifier.create(this.access.actor(outsider, memberOfB))
			.expectErrorSatisfies((error) -> assertThat(error).hasFieldOrPropertyWithValue("type", "forbidden"))
			.verify();
	}

	private Set<String> applicationRoutes() {
		Set<String> routes = new TreeSet<>();
		for (RequestMappingInfo info : this.mappings.getHandlerMethods().keySet()) {
			for (PathPattern pattern : info.getPatternsCondition().getPatterns()) {
				if (pattern.getPatternString().startsWith("/api/")
						|| pattern.getPatternString().startsWith("/.well-known")) {
					for (var method : info.getMethodsCondition().getMethods()) {
						routes.add(method.name() + " " + pattern.getPatternString());
					}
				}
			}
		}
		return routes;
	}

	/** Unique suffixes for codes the walk creates. */
	private static final class Secrets {

		private static int counter;

		static synchronized int next() {
			return ++counter;
		}

	}

	/** A route's answer: status and body. */
	private record Answer(int status, String body) {
	}

	private Answer call(String route, String token) {
		String[] parts = route.split(" ", 2);
		String path = parts[1].replace("{villageId}", String.valueOf(this.villageB.id().value()))
			.replace("{regionId}", String.valueOf(this.villageB.id().value()))
			.replace("{householdId}", String.valueOf(this.householdB.id().value()))
			.replace("{memberId}", String.valueOf(this.householdB.members().get(0).id().value()))
			.replace("{code}", "walk-item")
			.replace("{claimId}", String.valueOf(this.claimB))
			.replace("{townId}", String.valueOf(this.villageB.parentId().value()))
			.replace("{photoId}", "1")
			.replace("{notificationId}", "1")
			.replace("{eventId}", String.valueOf(this.deadEventB))
			.replace("{taskId}", String.valueOf(this.taskB))
			.replace("{slot}", "1")
			.replace("{merchantId}", String.valueOf(this.merchantB))
			.replace("{offerId}", String.valueOf(this.offerB))
			.replace("{redemptionId}", "1")
			.replace("{month}", "2026-11");
		WebTestClient.RequestBodySpec request = this.http.method(HttpMethod.valueOf(parts[0]))
			.uri(path + (path.endsWith("/members") ? "?phone=13800000000" : ""));
		if (token != null) {
			request.header(HttpHeaders.AUTHORIZATION, "Bearer " + token);
		}
		WebTestClient.RequestHeadersSpec<?> ready = (parts[0].equals("GET") || parts[0].equals("DELETE")) ? request
				: path.endsWith("/import") ? request.contentType(MediaType.parseMediaType("text/csv")).bodyValue("x")
						: path.endsWith("/evidence")
								? request.contentType(MediaType.IMAGE_PNG).bodyValue(new byte[] { 1 })
								: route.equals("POST /api/v1/regions")
										? request.contentType(MediaType.APPLICATION_JSON)
											.bodyValue(Map.of("parentId", this.villageB.id().value(), "level", "GROUP",
													"code", "walk-" + Secrets.next(), "name", "第五村民小组"))
										: request.contentType(MediaType.APPLICATION_JSON).bodyValue("{}");
		var result = ready.exchange().expectBody(String.class).returnResult();
		return new Answer(result.getStatus().value(), String.valueOf(result.getResponseBody()));
	}

}
