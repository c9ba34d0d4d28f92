package org.jifen.notifications.wechat;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

import org.jifen.notifications.Delivery;
import org.jifen.notifications.Delivery.SkipReason;
import org.jifen.notifications.Notification;
import org.jifen.notifications.Recipient;
import org.jifen.notifications.wechat.FakeWeChat.Answer;
import org.jifen.notifications.wechat.WeChatSubscribeSettings.Template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The WeChat subscribe message adapter against a local stand-in for WeChat's API: the
 * message it sends, how it fetches and shares the access token, and what it makes of each
 * of WeChat's answers.
 */
class WeChatSubscribeMessagesTests {

	private static final String VILLAGER = "oVILLAGER";

	private static final Map<String, Template> TEMPLATES = Map.of("points.posted",
			new Template("TPL-POINTS", "pages/points/index?event={2}", Map.of("number1", "{0}", "thing2", "{1}")),
			"points.posted.deduction", new Template("TPL-DEDUCTION", null, Map.of("number1", "{0}", "thing2", "{1}")),
			"task.grabbed", new Template("TPL-TASK", "pages/tasks/index", Map.of("thing1", "{0}", "name2", "{1}")));

	private final MutableClock clock = new MutableClock();

	private final InMemorySubscriptionConsents consents = new InMemorySubscriptionConsents();

	private FakeWeChat weChat;

	private WeChatSubscribeMessages messages;

	@BeforeEach
	void startFakeWeChat() throws IOException {
		this.weChat = new FakeWeChat();
		this.messages = adapterFor(this.weChat.baseUrl());
		this.consents.grant(VILLAGER, "TPL-POINTS", 100);
	}

	@AfterEach
	void stopFakeWeChat() {
		this.weChat.close();
	}

	@Test
	void sendsTheTemplateToTheUserWithItsDataFields() {
		StepVerifier.create(this.messages.deliver(award("evt-1"))).expectNext(Delivery.sent()).verifyComplete();

		JsonNode token = this.weChat.tokenRequests.getFirst();
		assertThat(token.path("grant_type").asString()).isEqualTo("client_credential");
		assertThat(token.path("appid").asString()).isEqualTo("wx-app");
		assertThat(token.path("secret").asString()).isEqualTo("s3cret");
		assertThat(token.path("force_refresh").asBoolean(true)).isFalse();

		FakeWeChat.Send send = this.weChat.lastSend();
		assertThat(send.query()).isEqualTo("access_token=ACCESS-TOKEN-1");
		assertThat(send.body().path("touser").asString()).isEqualTo(VILLAGER);
		assertThat(send.body().path("template_id").asString()).isEqualTo("TPL-POINTS");
		assertThat(send.body().path("page").asString()).isEqualTo("pages/points/index?event=evt-1");
		assertThat(send.body().path("data").path("number1").path("value").asString()).isEqualTo("1200");
		assertThat(send.body().path("data").path("thing2").path("value").asString()).isEqualTo("清扫村道");
		assertThat(send.body().path("miniprogram_state").asString()).isEqualTo("formal");
		assertThat(send.body().path("lang").asString()).isEqualTo("zh_CN");
	}

	@Test
	void aSentMessageUsesOneConsent() {
		StepVerifier.create(this.messages.deliver(award("evt-1"))).expectNext(Delivery.sent()).verifyComplete();
		assertThat(remainingConsents(VILLAGER, "TPL-POINTS")).isEqualTo(99);
	}

	@Test
	void fetchesTheTokenOnceForManySends() {
		for (int i = 0; i < 5; i++) {
			StepVerifier.create(this.messages.deliver(award("evt-" + i))).expectNext(Delivery.sent()).verifyComplete();
		}
		assertThat(this.weChat.tokenCalls).hasValue(1);
		assertThat(this.weChat.sends).hasSize(5)
			.allSatisfy((send) -> assertThat(send.query()).isEqualTo("access_token=ACCESS-TOKEN-1"));
	}

	@Test
	void fetchesAnotherTokenShortlyBeforeTheOldOneExpires() {
		StepVerifier.create(this.messages.deliver(award("evt-1"))).expectNext(Delivery.sent()).verifyComplete();
		// 7200 s of life, refreshed 300 s before the end
		this.clock.advance(Duration.ofSeconds(6899));
		StepVerifier.create(this.messages.deliver(award("evt-2"))).expectNext(Delivery.sent()).verifyComplete();
		assertThat(this.weChat.tokenCalls).hasValue(1);

		this.clock.advance(Duration.ofSeconds(1));
		StepVerifier.create(this.messages.deliver(award("evt-3"))).expectNext(Delivery.sent()).verifyComplete();
		assertThat(this.weChat.tokenCalls).hasValue(2);
		assertThat(this.weChat.lastSend().query()).isEqualTo("access_token=ACCESS-TOKEN-2");
	}

	@Test
	void concurrentFirstSendsShareOneTokenFetch() {
		this.weChat.tokenDelay = Duration.ofMillis(300);
		Flux<Delivery> deliveries = Flux.range(0, 8).flatMap((i) -> this.messages.deliver(award("evt-" + i)));
		StepVerifier.create(deliveries).expectNextCount(8).verifyComplete();
		assertThat(this.weChat.tokenCalls).hasValue(1);
		assertThat(this.weChat.sends).hasSize(8);
	}

	@ParameterizedTest
	@ValueSource(ints = { 40001, 42001, 40014 })
	void aRejectedTokenIsReplacedOnceAndTheSendTriedAgain(int errcode) {
		StepVerifier.create(this.messages.deliver(award("evt-1"))).expectNext(Delivery.sent()).verifyComplete();
		this.weChat.sendAnswers.add(FakeWeChat.errcode(errcode));

		StepVerifier.create(this.messages.deliver(award("evt-2"))).expectNext(Delivery.sent()).verifyComplete();
		assertThat(this.weChat.tokenCalls).hasValue(2);
		assertThat(this.weChat.sends).extracting(FakeWeChat.Send::query)
			.containsExactly("access_token=ACCESS-TOKEN-1", "access_token=ACCESS-TOKEN-1",
					"access_token=ACCESS-TOKEN-2");
		assertThat(remainingConsents(VILLAGER, "TPL-POINTS")).isEqualTo(98);
	}

	@Test
	void aTokenRejectedTwiceIsARetryableFailure() {
		this.weChat.sendAnswers.add(FakeWeChat.errcode(40001));
		this.weChat.sendAnswers.add(FakeWeChat.errcode(40001));
		StepVerifier.create(this.messages.deliver(award("evt-1")))
			.assertNext((delivery) -> assertThat(delivery)
				.isEqualTo(new Delivery.Failed(true, "WeChat errcode 40001: scripted error 40001")))
			.verifyComplete();
		assertThat(this.weChat.tokenCalls).hasValue(2);
		assertThat(this.weChat.sends).hasSize(2);
		assertThat(remainingConsents(VILLAGER, "TPL-POINTS")).isEqualTo(100);
	}

	@Test
	void sendersRejectedTogetherShareOneNewToken() {
		StepVerifier.create(this.messages.deliver(award("evt-0"))).expectNext(Delivery.sent()).verifyComplete();
		this.weChat.sendAnswers.add(FakeWeChat.errcode(42001));
		this.weChat.sendAnswers.add(FakeWeChat.errcode(42001));
		this.weChat.sendDelay = Duration.ofMillis(200);

		Flux<Delivery> deliveries = Flux.merge(this.messages.deliver(award("evt-1")),
				this.messages.deliver(award("evt-2")));
		StepVerifier.create(deliveries).expectNext(Delivery.sent(), Delivery.sent()).verifyComplete();
		assertThat(this.weChat.tokenCalls).hasValue(2);
		assertThat(this.weChat.sends).hasSize(5);
	}

	@Test
	void aRefusedSubscriptionUsesUpTheConsentAndIsNotTriedAgain() {
		this.weChat.sendAnswers.add(FakeWeChat.errcode(43101));
		StepVerifier.create(this.messages.deliver(award("evt-1")))
			.expectNext(Delivery.skipped(SkipReason.CONSENT_USED_UP))
			.verifyComplete();
		assertThat(this.weChat.sends).hasSize(1);
		assertThat(remainingConsents(VILLAGER, "TPL-POINTS")).isZero();

		StepVerifier.create(this.messages.deliver(award("evt-2")))
			.expectNext(Delivery.skipped(SkipReason.NO_CONSENT))
			.verifyComplete();
		assertThat(this.weChat.sends).hasSize(1);
	}

	@ParameterizedTest
	@ValueSource(ints = { 47003, 40003, 40037, 41030 })
	void messagesWeChatWillAlwaysRefuseArePermanentFailures(int errcode) {
		this.weChat.sendAnswers.add(FakeWeChat.errcode(errcode));
		StepVerifier.create(this.messages.deliver(award("evt-1")))
			.expectNext(Delivery.permanent("WeChat errcode " + errcode + ": scripted error " + errcode))
			.verifyComplete();
		assertThat(this.weChat.sends).hasSize(1);
		assertThat(remainingConsents(VILLAGER, "TPL-POINTS")).isEqualTo(100);
	}

	@ParameterizedTest
	@ValueSource(ints = { -1, 45009, 45011 })
	void aBusyWeChatIsARetryableFailure(int errcode) {
		this.weChat.sendAnswers.add(FakeWeChat.errcode(errcode));
		StepVerifier.create(this.messages.deliver(award("evt-1")))
			.expectNext(Delivery.retryable("WeChat errcode " + errcode + ": scripted error " + errcode))
			.verifyComplete();
		assertThat(this.weChat.sends).hasSize(1);
		assertThat(remainingConsents(VILLAGER, "TPL-POINTS")).isEqualTo(100);
	}

	@ParameterizedTest
	@ValueSource(ints = { 500, 502, 503 })
	void serverErrorsAreRetryableFailures(int status) {
		this.weChat.sendAnswers.add(new Answer(status, "<html>Bad Gateway</html>"));
		StepVerifier.create(this.messages.deliver(award("evt-1")))
			.expectNext(Delivery.retryable("WeChat answered HTTP " + status))
			.verifyComplete();
		assertThat(this.weChat.sends).hasSize(1);
		assertThat(remainingConsents(VILLAGER, "TPL-POINTS")).isEqualTo(100);
	}

	@Test
	void anAnswerThatIsNotJsonIsARetryableFailure() {
		this.weChat.sendAnswers.add(new Answer(200, "<html>maintenance</html>"));
		StepVerifier.create(this.messages.deliver(award("evt-1")))
			.expectNext(Delivery.retryable("WeChat answered something other than JSON"))
			.verifyComplete();
	}

	@Test
	void aSlowWeChatIsARetryableFailure() {
		// The first call in a JVM is slow itself (Netty starting), so warm up first.
		StepVerifier.create(this.messages.deliver(award("evt-0"))).expectNext(Delivery.sent()).verifyComplete();
		WeChatSubscribeMessages impatient = new WeChatSubscribeMessages(
				settings(this.weChat.baseUrl(), Duration.ofMillis(300)), this.consents, this.clock);
		this.weChat.sendDelay = Duration.ofSeconds(1);
		StepVerifier.create(impatient.deliver(award("evt-1")))
			.expectNext(Delivery.retryable("WeChat did not answer within 300 ms"))
			.verifyComplete();
		assertThat(remainingConsents(VILLAGER, "TPL-POINTS")).isEqualTo(99);
	}

	@Test
	void anUnreachableWeChatIsARetryableFailure() throws IOException {
		String closed;
		try (FakeWeChat gone = new FakeWeChat()) {
			closed = gone.baseUrl();
		}
		StepVerifier.create(adapterFor(closed).deliver(award("evt-1")))
			.assertNext((delivery) -> assertThat(delivery).isInstanceOfSatisfying(Delivery.Failed.class,
					(failed) -> assertThat(failed.retryable()).isTrue()))
			.verifyComplete();
	}

	@Test
	void aFailedTokenFetchIsRetryableAndTriedAgainByTheNextSend() {
		this.weChat.tokenAnswers.add(FakeWeChat.errcode(40125));
		StepVerifier.create(this.messages.deliver(award("evt-1")))
			.expectNext(Delivery.retryable("WeChat gave no access token: errcode 40125 scripted error 40125"))
			.verifyComplete();
		assertThat(this.weChat.sends).isEmpty();

		StepVerifier.create(this.messages.deliver(award("evt-1"))).expectNext(Delivery.sent()).verifyComplete();
		assertThat(this.weChat.tokenCalls).hasValue(2);
	}

	@Test
	void anEventTypeWithoutTemplateIsSkippedWithoutAskingWeChat() {
		Notification donation = new Notification("evt-1", "donation.sent", villager(Locale.CHINA), "王大爷", 20);
		StepVerifier.create(this.messages.deliver(donation))
			.expectNext(Delivery.skipped(SkipReason.NOT_CONFIGURED))
			.verifyComplete();
		assertThat(this.weChat.tokenCalls).hasValue(0);
		assertThat(this.weChat.sends).isEmpty();
	}

	@Test
	void aUserWithoutConsentIsSkippedWithoutAskingWeChat() {
		Notification grabbed = new Notification("evt-1", "task.grabbed", villager(Locale.CHINA), "修篱笆", "李四");
		StepVerifier.create(this.messages.deliver(grabbed))
			.expectNext(Delivery.skipped(SkipReason.NO_CONSENT))
			.verifyComplete();
		assertThat(this.weChat.tokenCalls).hasValue(0);
		assertThat(this.weChat.sends).isEmpty();
	}

	@Test
	void aUserWithoutOpenidIsSkippedWithoutAskingWeChat() {
		Notification award = new Notification("evt-1", "points.posted", "award",
				new Recipient(null, "13812341234", Locale.CHINA), List.of(10, "清扫村道", "evt-1"));
		StepVerifier.create(this.messages.deliver(award))
			.expectNext(Delivery.skipped(SkipReason.NO_ADDRESS))
			.verifyComplete();
		assertThat(this.weChat.tokenCalls).hasValue(0);
		assertThat(this.weChat.sends).isEmpty();
	}

	@Test
	void aVariantsOwnTemplateIsPreferredToItsTypes() {
		this.consents.grant(VILLAGER, "TPL-DEDUCTION", 1);
		Notification deduction = new Notification("evt-1", "points.posted", "deduction", villager(Locale.CHINA),
				List.of(5, "乱倒垃圾", "evt-1"));
		StepVerifier.create(this.messages.deliver(deduction)).expectNext(Delivery.sent()).verifyComplete();
		assertThat(this.weChat.lastSend().body().path("template_id").asString()).isEqualTo("TPL-DEDUCTION");
		assertThat(this.weChat.lastSend().body().has("page")).isFalse();
		assertThat(remainingConsents(VILLAGER, "TPL-DEDUCTION")).isZero();
	}

	@Test
	void valuesAreCutToTheLimitsOfTheirKeywords() {
		this.consents.grant(VILLAGER, "TPL-TASK", 1);
		Notification grabbed = new Notification("evt-1", "task.grabbed", villager(Locale.ENGLISH),
				"帮村东头的王大爷修理被大风刮倒的院墙和篱笆", "Nicholas Alexander");
		StepVerifier.create(this.messages.deliver(grabbed)).expectNext(Delivery.sent()).verifyComplete();
		JsonNode data = this.weChat.lastSend().body().path("data");
		assertThat(data.path("thing1").path("value").asString()).isEqualTo("帮村东头的王大爷修理被大风刮倒的院墙和…").hasSize(20);
		assertThat(data.path("name2").path("value").asString()).isEqualTo("Nicholas A");
		assertThat(this.weChat.lastSend().body().path("lang").asString()).isEqualTo("en_US");
	}

	@Test
	void fieldsThatDoNotFitTheArgumentsArePermanentFailures() {
		Template numberOverText = new Template("TPL-POINTS", null, Map.of("number1", "{1,number}"));
		WeChatSubscribeMessages adapter = new WeChatSubscribeMessages(new WeChatSubscribeSettings("wx-app", "s3cret",
				this.weChat.baseUrl(), null, null, null, Map.of("points.posted", numberOverText)), this.consents,
				this.clock);
		StepVerifier.create(adapter.deliver(award("evt-1")))
			.assertNext((delivery) -> assertThat(delivery).isInstanceOfSatisfying(Delivery.Failed.class,
					(failed) -> assertThat(failed.retryable()).isFalse()))
			.verifyComplete();
		assertThat(this.weChat.sends).isEmpty();
	}

	@Test
	void aBrokenFieldPatternFailsWhenTheSettingsAreMade() {
		assertThatIllegalArgumentException().isThrownBy(() -> new Template("TPL", null, Map.of("thing1", "{0")));
		assertThatIllegalArgumentException().isThrownBy(() -> new Template("TPL", "pages/a?id={x}", Map.of()));
	}

	@Test
	void neverLogsOrReportsTheSecretOrTheToken() {
		Logger logger = (Logger) LoggerFactory.getLogger("org.jifen.notifications");
		ListAppender<ILoggingEvent> logged = new ListAppender<>();
		logged.start();
		logger.addAppender(logged);
		try {
			this.weChat.tokenAnswers.add(FakeWeChat.errcode(40125));
			this.weChat.sendAnswers.addAll(List.of(FakeWeChat.errcode(42001), FakeWeChat.errcode(40001),
					FakeWeChat.errcode(42001), FakeWeChat.errcode(47003), new Answer(502, "")));
			List<Delivery> deliveries = Flux.range(0, 6)
				.concatMap((i) -> this.messages.deliver(award("evt-" + i)))
				.collectList()
				.block(Duration.ofSeconds(10));
			assertThat(deliveries).hasSize(6);
			assertThat(deliveries).asString().doesNotContain("s3cret", "ACCESS-TOKEN");
			assertThat(logged.list).isNotEmpty()
				.allSatisfy((event) -> assertThat(event.getFormattedMessage() + ((event.getThrowableProxy() != null)
						? ThrowableProxyUtil.asString(event.getThrowableProxy()) : ""))
					.doesNotContain("s3cret", "ACCESS-TOKEN"));
			assertThat(settings(this.weChat.baseUrl()).toString()).doesNotContain("s3cret").contains("wx-app");
			assertThat(new AccessTokens.AccessToken("ACCESS-TOKEN-9", this.clock.instant()).toString())
				.doesNotContain("ACCESS-TOKEN");
		}
		finally {
			logger.detachAppender(logged);
		}
	}

	@Test
	void anErrorOfTheConsentStoreAfterASendStillCountsAsSent() {
		SubscriptionConsents failingAfterSend = new SubscriptionConsents() {

			@Override
			public Mono<SubscriptionConsent> find(String openid, String templateId) {
				return Mono.just(new SubscriptionConsent(openid, templateId, 1));
			}

			@Override
			public Mono<Void> useOne(String openid, String templateId) {
				return Mono.error(new IllegalStateException("database down"));
			}

			@Override
			public Mono<Void> useAll(String openid, String templateId) {
				return Mono.error(new IllegalStateException("database down"));
			}

		};
		WeChatSubscribeMessages adapter = new WeChatSubscribeMessages(settings(this.weChat.baseUrl()), failingAfterSend,
				this.clock);
		StepVerifier.create(adapter.deliver(award("evt-1"))).expectNext(Delivery.sent()).verifyComplete();
		assertThat(this.weChat.sends).hasSize(1);
	}

	private WeChatSubscribeMessages adapterFor(String baseUrl) {
		return new WeChatSubscribeMessages(settings(baseUrl), this.consents, this.clock);
	}

	private static WeChatSubscribeSettings settings(String baseUrl) {
		return new WeChatSubscribeSettings("wx-app", "s3cret", baseUrl, null, null, null, TEMPLATES);
	}

	private static WeChatSubscribeSettings settings(String baseUrl, Duration timeout) {
		return new WeChatSubscribeSettings("wx-app", "s3cret", baseUrl, null, timeout, null, TEMPLATES);
	}

	private static Recipient villager(Locale locale) {
		return new Recipient(VILLAGER, null, locale);
	}

	private static Notification award(String eventId) {
		return new Notification(eventId, "points.posted", "award", villager(Locale.CHINA),
				List.of(1200, "清扫村道", eventId));
	}

	private int remainingConsents(String openid, String templateId) {
		SubscriptionConsent consent = this.consents.find(openid, templateId).block(Duration.ofSeconds(1));
		return (consent != null) ? consent.remaining() : 0;
	}

}
