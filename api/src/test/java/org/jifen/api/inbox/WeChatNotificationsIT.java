package org.jifen.api.inbox;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.jifen.api.identity.Accounts;
import org.jifen.api.ledger.Ledger;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.support.Fixtures;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.SignedIn;
import org.jifen.api.village.Household;
import org.jifen.api.village.Region;
import org.jifen.api.village.Villages;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * WeChat subscribe messages wired into the application, against a local fake of WeChat's
 * API (WeChat cannot be reached from here): a posting reaches the villager's WeChat only
 * with a consent left and the channel on.
 */
class WeChatNotificationsIT extends IntegrationTest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final List<JsonNode> SENT = new CopyOnWriteArrayList<>();

	private static final HttpServer WECHAT = fakeWeChat();

	@Autowired
	private Villages villages;

	@Autowired
	private Accounts accounts;

	@Autowired
	private Ledger ledger;

	@Autowired
	private PointKinds kinds;

	private Region village;

	private Household household;

	private String villager;

	@DynamicPropertySource
	static void weChat(DynamicPropertyRegistry registry) {
		registry.add("jifen.notifications.wechat.app-id", () -> "wx-test-app");
		registry.add("jifen.notifications.wechat.secret", () -> "test-secret");
		registry.add("jifen.notifications.wechat.base-url", () -> "http://127.0.0.1:" + WECHAT.getAddress().getPort());
		registry.add("jifen.notifications.wechat.templates[points.posted].id", () -> "TPL-POINTS");
		registry.add("jifen.notifications.wechat.templates[points.posted].fields.number1", () -> "{0}");
		registry.add("jifen.notifications.wechat.templates[points.posted].fields.thing2", () -> "{1}");
	}

	@AfterAll
	static void stopWeChat() {
		WECHAT.stop(0);
	}

	@BeforeEach
	void aVillagerBoundToWeChat() {
		services().wipe();
		SENT.clear();
		this.village = Fixtures.village(this.villages, "wechat");
		this.household = Fixtures.registered(this.villages, this.village, Fixtures.household("001", "王五"));
		this.villager = SignedIn.villager(this.http, this.accounts, "wang-wechat",
				this.household.members().get(0).id());
	}

	@Test
	void aPostingReachesWeChatOncePerConsentAndNotWhenTurnedOff() {
		award(10, "打扫村道");
		await().atMost(Duration.ofSeconds(5)).until(() -> weChatDecisions() == 1);
		assertThat(SENT).as("no consent yet: nothing sent").isEmpty();

		this.http.post()
			.uri("/api/v1/me/wechat-subscriptions")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villager)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("templateIds", List.of("TPL-POINTS")))
			.exchange()
			.expectStatus()
			.isNoContent();
		award(20, "照顾孤寡老人");
		await().atMost(Duration.ofSeconds(5)).until(() -> SENT.size() == 1);
		JsonNode message = SENT.get(0);
		assertThat(message.get("touser").asString()).isEqualTo("dev-openid-wang-wechat");
		assertThat(message.get("template_id").asString()).isEqualTo("TPL-POINTS");
		assertThat(message.at("/data/number1/value").asString()).isEqualTo("20");
		assertThat(message.at("/data/thing2/value").asString()).isEqualTo("照顾孤寡老人");

		award(30, "一次同意只发一条");
		await().atMost(Duration.ofSeconds(5)).until(() -> weChatDecisions() == 3);
		assertThat(SENT).as("the consent was used up").hasSize(1);

		this.http.put()
			.uri("/api/v1/me/notification-preferences")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villager)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(List.of(Map.of("eventType", "points.posted", "channel", "WECHAT", "enabled", false)))
			.exchange()
			.expectStatus()
			.isOk();
		this.http.post()
			.uri("/api/v1/me/wechat-subscriptions")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villager)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("templateIds", List.of("TPL-POINTS")))
			.exchange()
			.expectStatus()
			.isNoContent();
		award(40, "关掉微信");
		await().atMost(Duration.ofSeconds(5)).until(() -> weChatDecisions() == 4);
		assertThat(SENT).as("WeChat turned off").hasSize(1);
		assertThat(services().count("select count(*) from notification_delivery where channel = 'WECHAT'"))
			.isEqualTo(4);
	}

	private void award(long points, String memo) {
		Fixtures.award(this.ledger, this.kinds, this.village, this.household, points, memo);
	}

	/**
	 * How many notifications the WeChat channel has decided on (sent, skipped or off).
	 */
	private long weChatDecisions() {
		return services().count("select count(*) from notification_delivery where channel = 'WECHAT'");
	}

	private static HttpServer fakeWeChat() {
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			server.createContext("/cgi-bin/stable_token",
					(exchange) -> answer(exchange, "{\"access_token\":\"fake-token\",\"expires_in\":7200}"));
			server.createContext("/cgi-bin/message/subscribe/send", (exchange) -> {
				SENT.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
				answer(exchange, "{\"errcode\":0,\"errmsg\":\"ok\"}");
			});
			server.start();
			return server;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void answer(HttpExchange exchange, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.sendResponseHeaders(200, bytes.length);
		exchange.getResponseBody().write(bytes);
		exchange.close();
	}

}
