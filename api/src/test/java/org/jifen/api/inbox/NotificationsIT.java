package org.jifen.api.inbox;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

import org.jifen.api.JifenApplication;
import org.jifen.api.catalog.Catalog;
import org.jifen.api.catalog.CatalogItemDraft;
import org.jifen.api.claims.Claim;
import org.jifen.api.claims.Claims;
import org.jifen.api.claims.NewClaim;
import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Caller;
import org.jifen.api.identity.Role;
import org.jifen.api.ledger.Ledger;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.support.Fixtures;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.RealServices;
import org.jifen.api.support.SignedIn;
import org.jifen.api.village.Household;
import org.jifen.api.village.NewHousehold;
import org.jifen.api.village.Region;
import org.jifen.api.village.Villages;
import org.jifen.api.web.PageRequest;
import org.jifen.notifications.Delivery;
import org.jifen.notifications.sms.SmsMessage;
import org.jifen.notifications.sms.SmsSender;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The inbox, the live stream and the channels, against the real relay: a posting
 * committed in the ledger reaches the household's members.
 */
class NotificationsIT extends IntegrationTest {

	private static final ParameterizedTypeReference<ServerSentEvent<JsonNode>> EVENT = new ParameterizedTypeReference<>() {
	};

	@Autowired
	private Villages villages;

	@Autowired
	private Accounts accounts;

	@Autowired
	private Ledger ledger;

	@Autowired
	private PointKinds kinds;

	@Autowired
	private RecordingSms sms;

	@Autowired
	private Catalog catalog;

	@Autowired
	private Claims claims;

	private Region village;

	private Household zhang;

	private String villager;

	@BeforeEach
	void aVillagerWithAPhone() {
		services().wipe();
		this.sms.sent.clear();
		this.village = Fixtures.village(this.villages, "notify");
		this.villages.registerHouseholds(this.village.id(), List.of(new NewHousehold(null, "001", "张三", null,
				List.of(new NewHousehold.NewMember("张三", "户主", 1960, "13812345678", null)))))
			.block();
		this.zhang = this.villages
			.household(this.villages.households(this.village.id(), PageRequest.of(null, 1)).block().items().get(0).id())
			.block();
		this.villager = SignedIn.villager(this.http, this.accounts, "zhang-notify", this.zhang.members().get(0).id());
	}

	@Test
	void anEffectivePostingReachesTheMembersStreamWithinASecond() {
		Flux<ServerSentEvent<JsonNode>> stream = stream(this.villager, null);
		StepVerifier.create(stream.filter((event) -> event.event() != null).take(3).map(ServerSentEvent::event))
			.then(() -> award(10, "参加义务劳动"))
			.recordWith(java.util.HashSet::new)
			.expectNextCount(3)
			.consumeRecordedWith(
					(names) -> assertThat(names).containsExactlyInAnyOrder("notification", "balance", "rank"))
			.expectComplete()
			.verify(Duration.ofSeconds(1));
	}

	@Test
	void theNotificationIsKeptOnceAndReadInEitherLanguage() {
		award(10, "参加义务劳动");
		award(5, "庭院整洁");
		await().atMost(Duration.ofSeconds(5)).until(() -> unread() == 2);
		JsonNode page = this.http.get()
			.uri("/api/v1/me/notifications")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villager)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		assertThat(page.get("items")).hasSize(2);
		assertThat(page.get("items").get(0).get("body").asString()).isEqualTo("您家获得 5 积分：庭院整洁");
		JsonNode english = this.http.get()
			.uri("/api/v1/me/notifications")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villager)
			.header(HttpHeaders.ACCEPT_LANGUAGE, "en")
			.exchange()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		assertThat(english.get("items").get(0).get("body").asString()).contains("5").contains("庭院整洁");
		assertThat(english.get("items").get(0).get("title").asString()).doesNotContain("积分");

		long id = page.get("items").get(0).get("id").asLong();
		this.http.post()
			.uri("/api/v1/me/notifications/{id}/read", id)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villager)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.read")
			.isEqualTo(true);
		assertThat(unread()).isEqualTo(1);
		assertThat(services().count("select count(*) from notification")).isEqualTo(2);

		String stranger = SignedIn.staff(this.http, this.accounts, "stranger", Role.REVIEWER,
				this.village.id().value());
		this.http.post()
			.uri("/api/v1/me/notifications/{id}/read", id)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + stranger)
			.exchange()
			.expectStatus()
			.isNotFound();
	}

	@Test
	void aReconnectingStreamGetsWhatItMissedFromTheInboxThenLiveEvents() {
		award(1, "第一次");
		award(2, "第二次");
		award(3, "第三次");
		await().atMost(Duration.ofSeconds(5)).until(() -> unread() == 3);
		List<Long> ids = services().ids("select id from notification order by id");

		Flux<ServerSentEvent<JsonNode>> resumed = stream(this.villager, ids.get(0))
			.filter((event) -> "notification".equals(event.event()));
		StepVerifier.create(resumed.take(3))
			.assertNext((event) -> assertThat(event.id()).isEqualTo(String.valueOf(ids.get(1))))
			.assertNext((event) -> assertThat(event.id()).isEqualTo(String.valueOf(ids.get(2))))
			.then(() -> award(4, "第四次"))
			.assertNext((event) -> assertThat(event.data().get("body").asString()).contains("第四次"))
			.expectComplete()
			.verify(Duration.ofSeconds(5));
	}

	@Test
	void preferencesDecideTheChannels() {
		award(10, "默认");
		await().atMost(Duration.ofSeconds(5)).until(() -> unread() == 1);
		assertThat(this.sms.sent).as("SMS is off by default").isEmpty();

		this.http.put()
			.uri("/api/v1/me/notification-preferences")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villager)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(List.of(Map.of("eventType", "points.posted", "channel", "SMS", "enabled", true),
					Map.of("eventType", "points.posted", "channel", "LIVE", "enabled", false)))
			.exchange()
			.expectStatus()
			.isOk();
		Flux<ServerSentEvent<JsonNode>> stream = stream(this.villager, null)
			.filter((event) -> "notification".equals(event.event()));
		StepVerifier.create(stream)
			.then(() -> award(20, "短信"))
			.expectNoEvent(Duration.ofSeconds(2))
			.thenCancel()
			.verify();
		assertThat(unread()).isEqualTo(2);
		assertThat(this.sms.sent).hasSize(1);
		assertThat(this.sms.sent.get(0).phoneNumber()).isEqualTo("13812345678");
		assertThat(this.sms.sent.get(0).text()).contains("20").contains("短信");

		this.http.put()
			.uri("/api/v1/me/notification-preferences")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villager)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(List.of(Map.of("eventType", "no.such.event", "channel", "SMS", "enabled", true)))
			.exchange()
			.expectStatus()
			.isBadRequest();
	}

	@Test
	void theHouseholdHearsWhatBecameOfItsClaims() {
		Caller reviewer = SignedIn.staffCaller(this.accounts, "notify-reviewer", Role.VILLAGE_ADMIN,
				this.village.id().value());
		this.catalog
			.save(this.village.id(), new CatalogItemDraft("shan-01", "帮扶孤寡老人", "善", 5, null, null, false, null, null),
					reviewer.actor())
			.block();
		this.catalog
			.save(this.village.id(), new CatalogItemDraft("mei-k1", "门前乱堆乱放", "美", -3, null, null, false, null, null),
					reviewer.actor())
			.block();
		Claim award = this.claims
			.submit(reviewer, this.village.id(),
					new NewClaim(this.zhang.id().value(), "shan-01", Claim.Source.ORGANISATION, "为孤寡老人送餐", null))
			.block();
		this.claims.approve(reviewer, award.id(), "属实").block();
		Claim deduction = this.claims
			.submit(reviewer, this.village.id(),
					new NewClaim(this.zhang.id().value(), "mei-k1", Claim.Source.ORGANISATION, "门前堆放秸秆", null))
			.block();
		this.claims.approve(reviewer, deduction.id(), "网格员核实").block();

		await().atMost(Duration.ofSeconds(5)).until(() -> unread() == 2);
		JsonNode items = this.http.get()
			.uri("/api/v1/me/notifications")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villager)
			.exchange()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody()
			.get("items");
		assertThat(items.get(1).get("type").asString()).isEqualTo("claim.approved");
		assertThat(items.get(1).get("body").asString()).isEqualTo("您的申报“为孤寡老人送餐”已通过审核，获得 5 积分。");
		assertThat(items.get(0).get("type").asString()).isEqualTo("rectification.notice");
		assertThat(items.get(0).get("body").asString()).startsWith("请于 20").endsWith("前完成整改：门前堆放秸秆");
	}

	@Test
	void aClientOnAnotherInstanceSeesAnEventCommittedThroughThisOne() {
		RealServices services = services();
		try (ConfigurableApplicationContext instanceB = new SpringApplicationBuilder(JifenApplication.class)
			.properties(Map.ofEntries(Map.entry("server.port", "0"), Map.entry("jifen.embedded.enabled", "false"),
					Map.entry("jifen.demo.enabled", "false"),
					// Only this instance relays, so what B's client sees crossed Redis
					// from here.
					Map.entry("jifen.outbox.enabled", "false"),
					Map.entry("jifen.identity.jwt.key-file", "target/test-keys/jwt-signing-key.pem"),
					Map.entry("jifen.privacy.key-file", "target/test-keys/personal-data.keys"),
					Map.entry("jifen.evidence.dir", "target/test-evidence"),
					Map.entry("spring.r2dbc.url", services.r2dbcUrl()),
					Map.entry("spring.r2dbc.username", services.user()),
					Map.entry("spring.r2dbc.password", services.password()),
					Map.entry("spring.flyway.url", services.jdbcUrl()),
					Map.entry("spring.flyway.user", services.user()),
					Map.entry("spring.flyway.password", services.password()),
					Map.entry("spring.data.redis.host", services.redisHost()),
					Map.entry("spring.data.redis.port", String.valueOf(services.redisPort()))))
			.run()) {
			WebTestClient onB = WebTestClient.bindToServer()
				.baseUrl("http://127.0.0.1:" + instanceB.getEnvironment().getProperty("local.server.port"))
				.responseTimeout(Duration.ofSeconds(10))
				.build();
			Flux<ServerSentEvent<JsonNode>> streamOnB = stream(onB, this.villager, null)
				.filter((event) -> "notification".equals(event.event()));
			StepVerifier.create(streamOnB.take(1))
				.then(() -> award(7, "跨实例"))
				.assertNext((event) -> assertThat(event.data().get("body").asString()).contains("跨实例"))
				.expectComplete()
				.verify(Duration.ofSeconds(3));
		}
	}

	private void award(long points, String memo) {
		Fixtures.award(this.ledger, this.kinds, this.village, this.zhang, points, memo);
	}

	private long unread() {
		return this.http.get()
			.uri("/api/v1/me/notifications/unread-count")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villager)
			.exchange()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody()
			.get("unread")
			.asLong();
	}

	private Flux<ServerSentEvent<JsonNode>> stream(String token, Long lastEventId) {
		return stream(this.http, token, lastEventId);
	}

	private static Flux<ServerSentEvent<JsonNode>> stream(WebTestClient http, String token, Long lastEventId) {
		return http.get()
			.uri("/api/v1/me/stream")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.headers((headers) -> {
				if (lastEventId != null) {
					headers.set("Last-Event-ID", String.valueOf(lastEventId));
				}
			})
			.accept(MediaType.TEXT_EVENT_STREAM)
			.exchange()
			.expectStatus()
			.isOk()
			.returnResult(EVENT)
			.getResponseBody();
	}

	/** Records the text messages the SMS channel sends, instead of logging them. */
	static final class RecordingSms implements SmsSender {

		final List<SmsMessage> sent = new CopyOnWriteArrayList<>();

		@Override
		public Mono<Delivery> send(SmsMessage message) {
			return Mono.fromRunnable(() -> this.sent.add(message)).thenReturn(Delivery.sent());
		}

	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Sms {

		@Bean
		@Primary
		RecordingSms recordingSms() {
			return new RecordingSms();
		}

	}

}
