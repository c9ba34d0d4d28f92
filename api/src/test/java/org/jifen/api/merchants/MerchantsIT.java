package org.jifen.api.merchants;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;

import org.jifen.api.boards.BoardPeriod;
import org.jifen.api.boards.Boards;
import org.jifen.api.boards.StarRule;
import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Caller;
import org.jifen.api.identity.Grant;
import org.jifen.api.identity.Role;
import org.jifen.api.ledger.Ledger;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.shared.Actor;
import org.jifen.api.support.Fixtures;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.MovableClock;
import org.jifen.api.support.SignedIn;
import org.jifen.api.village.Household;
import org.jifen.api.village.MemberId;
import org.jifen.api.village.Region;
import org.jifen.api.village.Villages;
import org.jifen.api.web.PageRequest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * 德益联盟 checkout against the real stack: codes, two-phase redemption, stock, reversal, the
 * fallback's attempt limit, eligibility reasons and the monthly statement, with the
 * ledger verified after each scenario.
 */
class MerchantsIT extends IntegrationTest {

	@Autowired
	private MovableClock clock;

	@Autowired
	private Villages villages;

	@Autowired
	private Accounts accounts;

	@Autowired
	private Ledger ledger;

	@Autowired
	private PointKinds kinds;

	@Autowired
	private Boards boards;

	@Autowired
	private MerchantCheckout checkout;

	private Region village;

	private Household zhang;

	private Household li;

	private String zhangToken;

	private String liToken;

	private String townAdmin;

	private long merchant;

	private String till1;

	private String till2;

	@BeforeEach
	void aVillageAMerchantAndTwoTills() {
		services().wipe();
		this.clock.set(Instant.now());
		this.village = Fixtures.village(this.villages, "merchant");
		this.zhang = Fixtures.registered(this.villages, this.village, Fixtures.household("001", "张三"));
		this.li = Fixtures.registered(this.villages, this.village, Fixtures.household("002", "李四"));
		Fixtures.award(this.ledger, this.kinds, this.village, this.zhang, 500, "参加义务劳动");
		Fixtures.award(this.ledger, this.kinds, this.village, this.li, 75, "清扫村道");
		this.zhangToken = SignedIn.villager(this.http, this.accounts, "zhang", member(this.zhang));
		this.liToken = SignedIn.villager(this.http, this.accounts, "li", member(this.li));
		this.townAdmin = SignedIn.staff(this.http, this.accounts, "town-merchants", Role.TOWN_ADMIN,
				this.village.parentId().value());
		this.merchant = post(this.townAdmin, "/api/v1/towns/{id}/merchants", this.village.parentId().value(),
				Map.of("name", "寨里德益超市", "servedRegionIds", List.of(this.village.id().value())))
			.expectStatus()
			.isCreated()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody()
			.get("id")
			.asLong();
		this.till1 = staff("till-1");
		this.till2 = staff("till-2");
	}

	/**
	 * The relay finishes this test's events before the next one wipes the database (a
	 * wipe racing the relay's transactions can deadlock). The relay takes events due by
	 * the clock, which this test holds still: it moves on first.
	 */
	@AfterEach
	void relayIdle() {
		this.clock.set(Instant.now().plus(Duration.ofMinutes(1)));
		await().atMost(Duration.ofSeconds(60))
			.until(() -> services().count("select count(*) from outbox_event where status = 'PENDING'") == 0);
	}

	@Test
	void twoTillsScanningTheSameCodeAtOnceExactlyOneSucceeds() {
		long offer = offer(Map.of("title", "理发", "type", "AMOUNT_OFF", "amountOffFen", 1500, "pointsCost", 20));
		for (int round = 0; round < 5; round++) {
			String code = issue(this.zhangToken, this.zhang, offer).get("code").asString();
			List<JsonNode> answers = Flux.just(this.till1, this.till2)
				.flatMap((till) -> Mono.fromCallable(() -> redeem(till, Map.of("code", code, "billFen", 2000)))
					.subscribeOn(Schedulers.boundedElastic()))
				.collectList()
				.block(Duration.ofSeconds(30));
			assertThat(answers).extracting((answer) -> answer.path("status").asString())
				.containsExactlyInAnyOrder("HELD", "409");
			assertThat(answers).extracting((answer) -> answer.path("type").asString(""))
				.contains("urn:jifen:problem:code-used");
		}
		assertThat(available(this.zhangToken, this.zhang)).isEqualTo(500 - 5 * 20);
		assertThat(services().count("select count(*) from redemption")).isEqualTo(5);
		assertIntact();
	}

	@Test
	void expiredTamperedAndUsedCodesAreDistinctProblems() {
		long offer = offer(Map.of("title", "理发", "type", "AMOUNT_OFF", "amountOffFen", 1500, "pointsCost", 20));
		String code = issue(this.zhangToken, this.zhang, offer).get("code").asString();
		char flipped = (code.charAt(20) == 'A') ? 'B' : 'A';
		String tampered = code.substring(0, 20) + flipped + code.substring(21);
		assertThat(redeem(this.till1, Map.of("code", tampered, "billFen", 2000)).get("type").asString())
			.isEqualTo("urn:jifen:problem:code-invalid");
		assertThat(redeem(this.till1, Map.of("code", "not-a-code", "billFen", 2000)).get("type").asString())
			.isEqualTo("urn:jifen:problem:code-invalid");
		JsonNode held = redeem(this.till1, Map.of("code", code, "billFen", 2000));
		assertThat(held.get("status").asString()).isEqualTo("HELD");
		assertThat(held.get("discountFen").asLong()).isEqualTo(1500);
		assertThat(held.get("payableFen").asLong()).isEqualTo(500);
		JsonNode again = redeem(this.till2, Map.of("code", code, "billFen", 2000));
		assertThat(again.get("status").asInt()).isEqualTo(409);
		assertThat(again.get("type").asString()).isEqualTo("urn:jifen:problem:code-used");

		String late = issue(this.zhangToken, this.zhang, offer).get("code").asString();
		this.clock.set(this.clock.instant().plusSeconds(121));
		JsonNode expired = redeem(this.till1, Map.of("code", late, "billFen", 2000));
		assertThat(expired.get("status").asInt()).isEqualTo(422);
		assertThat(expired.get("type").asString()).isEqualTo("urn:jifen:problem:code-expired");
		assertIntact();
	}

	@Test
	void stockNeverGoesBelowZeroUnderAHundredConcurrentExchangesOfTheLastTen() {
		long rice = offer(Map.of("title", "大米 5 斤", "type", "ITEM_EXCHANGE", "stock", 10, "itemValueFen", 2500,
				"pointsCost", 10));
		List<Household> households = new ArrayList<>();
		List<org.jifen.api.village.NewHousehold> many = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			many.add(Fixtures.household(String.format("1%02d", i), "村民" + i));
		}
		this.villages.registerHouseholds(this.village.id(), many).block();
		this.villages.households(this.village.id(), PageRequest.of(null, PageRequest.MAX_LIMIT))
			.block()
			.items()
			.stream()
			.filter((summary) -> summary.number().startsWith("1"))
			.forEach((summary) -> households.add(this.villages.household(summary.id()).block()));
		List<String> codes = new ArrayList<>();
		for (Household household : households) {
			Fixtures.award(this.ledger, this.kinds, this.village, household, 50, "垃圾分类");
			for (var member : household.members()) {
				codes.add(this.checkout.issue(villagerCaller(member.id()), member.id(), rice).block().code());
			}
		}
		assertThat(codes).hasSize(100);
		List<JsonNode> answers = Flux.fromIterable(codes)
			.flatMap((code) -> Mono.fromCallable(() -> redeem(this.till1, Map.of("code", code)))
				.subscribeOn(Schedulers.boundedElastic()), 100)
			.collectList()
			.block(Duration.ofSeconds(120));
		assertThat(answers).filteredOn((answer) -> answer.path("status").asString().equals("HELD")).hasSize(10);
		assertThat(answers).filteredOn((answer) -> answer.path("type").asString("").endsWith("out-of-stock"))
			.hasSize(90);
		assertThat(services().count("select stock from merchant_offer where id = ?", rice)).isZero();
		assertThat(services().count("""
				select available from account where system_role = 'MERCHANT_SETTLEMENT' and village_id = ?""",
				this.village.id().value()))
			.isEqualTo(100);
		assertIntact();
	}

	@Test
	void aHoldIsCapturedWhenConfirmedAndVoidedWhenTheTillNeverConfirms() {
		long rice = offer(Map.of("title", "食用油 1 桶", "type", "ITEM_EXCHANGE", "stock", 3, "itemValueFen", 6990,
				"pointsCost", 120));
		JsonNode held = redeem(this.till1,
				Map.of("code", issue(this.zhangToken, this.zhang, rice).get("code").asString()));
		assertThat(held.get("payableFen").asLong()).isZero();
		assertThat(held.get("discountFen").asLong()).isEqualTo(6990);
		assertThat(available(this.zhangToken, this.zhang)).isEqualTo(380);
		assertThat(settlement()).isEqualTo(120);
		confirm(this.till1, held.get("id").asLong()).expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("CAPTURED");
		// Confirming twice (a retried tap) answers the same and spends nothing more.
		confirm(this.till2, held.get("id").asLong()).expectStatus().isOk();
		assertThat(settlement()).isZero();
		assertThat(available(this.zhangToken, this.zhang)).isEqualTo(380);

		JsonNode forgotten = redeem(this.till1,
				Map.of("code", issue(this.zhangToken, this.zhang, rice).get("code").asString()));
		assertThat(available(this.zhangToken, this.zhang)).isEqualTo(260);
		assertThat(services().count("select stock from merchant_offer where id = ?", rice)).isEqualTo(1);
		assertThat(this.checkout.voidExpired(this.clock.instant()).block()).isZero();
		this.clock.set(this.clock.instant().plus(Duration.ofMinutes(6)));
		confirm(this.till1, forgotten.get("id").asLong()).expectStatus()
			.isEqualTo(409)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:hold-expired");
		assertThat(Mono
			.zip(this.checkout.voidExpired(this.clock.instant()), this.checkout.voidExpired(this.clock.instant()),
					(a, b) -> a + b)
			.block()).isEqualTo(1);
		assertThat(available(this.zhangToken, this.zhang)).isEqualTo(380);
		assertThat(services().count("select stock from merchant_offer where id = ?", rice)).isEqualTo(2);
		assertThat(settlement()).isZero();
		assertThat(services().count("select count(*) from redemption where status = 'VOIDED'")).isEqualTo(1);
		assertIntact();
	}

	@Test
	void aMerchantReversesWithinTheWindowAndPointsAndStockComeBack() {
		long rice = offer(Map.of("title", "大米 5 斤", "type", "ITEM_EXCHANGE", "stock", 5, "itemValueFen", 2500,
				"pointsCost", 100));
		long first = redeemAndConfirm(this.zhangToken, this.zhang, rice, null);
		assertThat(available(this.zhangToken, this.zhang)).isEqualTo(400);
		post(this.till2, "/api/v1/merchants/" + this.merchant + "/redemptions/{id}/reversal", first, Map.of())
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("REVERSED");
		assertThat(available(this.zhangToken, this.zhang)).isEqualTo(500);
		assertThat(services().count("select stock from merchant_offer where id = ?", rice)).isEqualTo(5);
		post(this.till2, "/api/v1/merchants/" + this.merchant + "/redemptions/{id}/reversal", first, Map.of())
			.expectStatus()
			.isEqualTo(409)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:redemption-not-captured");

		long second = redeemAndConfirm(this.zhangToken, this.zhang, rice, null);
		this.clock.set(this.clock.instant().plus(Duration.ofHours(25)));
		post(this.till1, "/api/v1/merchants/" + this.merchant + "/redemptions/{id}/reversal", second, Map.of())
			.expectStatus()
			.isEqualTo(409)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:reversal-window-passed");
		assertThat(available(this.zhangToken, this.zhang)).isEqualTo(400);
		// Receipts: the household hears of both confirmations and the reversal, each till
		// of
		// the merchant of both confirmations.
		await().atMost(Duration.ofSeconds(10))
			.until(() -> services().count("""
					select count(*) from notification n join app_user u on u.id = n.user_id
					where u.member_id = ? and n.type in ('redemption.confirmed', 'redemption.reversed')""",
					member(this.zhang).value()) == 3);
		await().atMost(Duration.ofSeconds(10)).until(() -> services().count("""
				select count(*) from notification n join app_user u on u.id = n.user_id
				where u.username in ('till-1', 'till-2') and n.type = 'redemption.confirmed.staff'""") == 4);
		assertIntact();
	}

	@Test
	void aVillagerSeesWhyAnOfferIsNotForThemInTheirLanguage() {
		Caller admin = SignedIn.staffCaller(this.accounts, "stars-admin", Role.VILLAGE_ADMIN,
				this.village.id().value());
		this.boards
			.setStarRule(this.village.id(), PointKinds.HOUSEHOLD,
					new StarRule(BoardPeriod.MONTH, StarRule.Mode.THRESHOLD,
							List.of(new StarRule.Step(3, 70), new StarRule.Step(4, 81), new StarRule.Step(5, 91))),
					admin.actor())
			.block();
		String villageAdmin = SignedIn.staff(this.http, this.accounts, "goods-admin", Role.VILLAGE_ADMIN,
				this.village.id().value());
		this.http.put()
			.uri("/api/v1/villages/{id}/forbidden-goods", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + villageAdmin)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("categories", List.of("tobacco", "alcohol")))
			.exchange()
			.expectStatus()
			.isOk();
		long books = offer(Map.of("title", "图书八折", "type", "PERCENT_OFF", "percentOff", 20, "capFen", 5000,
				"pointsCost", 0, "minStars", 4));
		offer(Map.of("title", "白酒", "type", "AMOUNT_OFF", "amountOffFen", 1000, "pointsCost", 100, "goodsCategory",
				"alcohol"));

		JsonNode offers = this.http.get()
			.uri("/api/v1/members/{id}/offers", member(this.li).value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.liToken)
			.header(HttpHeaders.ACCEPT_LANGUAGE, "en")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		JsonNode booksView = offers.get(0);
		assertThat(booksView.get("eligible").asBoolean()).isFalse();
		assertThat(booksView.get("reasons").get(0).get("code").asString()).isEqualTo("needs-stars");
		assertThat(booksView.get("reasons").get(0).get("figures").get("required").asInt()).isEqualTo(4);
		assertThat(booksView.get("reasons").get(0).get("figures").get("stars").asInt()).isEqualTo(3);
		assertThat(booksView.get("reasons").get(0).get("text").asString())
			.isEqualTo("Needs 4 stars; your household has 3");
		JsonNode liquor = offers.get(1);
		assertThat(liquor.get("reasons")).extracting((reason) -> reason.get("code").asString())
			.containsExactly("forbidden-goods", "insufficient-points");

		String zh = this.http.get()
			.uri("/api/v1/members/{id}/offers", member(this.li).value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.liToken)
			.exchange()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(zh).contains("需要 4 星，您家现在是 3 星");
		this.http.post()
			.uri("/api/v1/members/{id}/offers/{offer}/codes", member(this.li).value(), books)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.liToken)
			.exchange()
			.expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:needs-stars")
			.jsonPath("$.required")
			.isEqualTo(4);
		// Five stars: 20% of 300.00 yuan is 60.00, capped at 50.00.
		JsonNode held = redeem(this.till1,
				Map.of("code", issue(this.zhangToken, this.zhang, books).get("code").asString(), "billFen", 30000));
		assertThat(held.get("discountFen").asLong()).isEqualTo(5000);
		assertThat(held.get("payableFen").asLong()).isEqualTo(25000);
		// A neighbour may not read another member's offers.
		this.http.get()
			.uri("/api/v1/members/{id}/offers", member(this.zhang).value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.liToken)
			.exchange()
			.expectStatus()
			.isForbidden();
	}

	@Test
	void guessingTheSixDigitsStopsAtTheLimitAndEveryFailureIsLogged() {
		long offer = offer(Map.of("title", "理发", "type", "AMOUNT_OFF", "amountOffFen", 1500, "pointsCost", 20));
		JsonNode issued = issue(this.zhangToken, this.zhang, offer);
		String digits = issued.get("fallbackCode").asString();
		assertThat(digits).matches("\\d{6}");
		JsonNode typed = redeem(this.till1, Map.of("fallbackCode", digits, "billFen", 2000));
		assertThat(typed.get("status").asString()).isEqualTo("HELD");
		assertThat(typed.get("via").asString()).isEqualTo("FALLBACK");

		String real = issue(this.zhangToken, this.zhang, offer).get("fallbackCode").asString();
		int guess = 0;
		for (int attempt = 0; attempt < 5; attempt++) {
			String wrong;
			do {
				wrong = String.format("%06d", guess++);
			}
			while (wrong.equals(real));
			JsonNode refused = redeem(this.till2, Map.of("fallbackCode", wrong, "billFen", 2000));
			assertThat(refused.get("type").asString()).isEqualTo("urn:jifen:problem:code-invalid");
		}
		this.http.post()
			.uri("/api/v1/merchants/{id}/redemptions", this.merchant)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.till1)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("fallbackCode", real, "billFen", 2000))
			.exchange()
			.expectStatus()
			.isEqualTo(429)
			.expectHeader()
			.exists(HttpHeaders.RETRY_AFTER)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:code-attempts-exceeded");
		assertThat(services().count("select count(*) from audit_entry where action = 'fallback-code.failed'"))
			.isEqualTo(5);
		// The QR code still works while typing is locked.
		assertThat(redeem(this.till1,
				Map.of("code", issue(this.zhangToken, this.zhang, offer).get("code").asString(), "billFen", 2000))
			.get("status")
			.asString()).isEqualTo("HELD");
	}

	@Test
	void theMonthlyStatementAddsUpToTheLedger() {
		long haircut = offer(Map.of("title", "老年理发", "type", "AMOUNT_OFF", "amountOffFen", 1000, "pointsCost", 30,
				"villageSubsidised", true));
		long books = offer(Map.of("title", "图书八折", "type", "PERCENT_OFF", "percentOff", 20, "pointsCost", 15));
		long a = redeemAndConfirm(this.zhangToken, this.zhang, haircut, 1500L);
		redeemAndConfirm(this.zhangToken, this.zhang, haircut, 800L);
		redeemAndConfirm(this.liToken, this.li, books, 4990L);
		redeem(this.till1,
				Map.of("code", issue(this.zhangToken, this.zhang, books).get("code").asString(), "billFen", 10000));
		post(this.till1, "/api/v1/merchants/" + this.merchant + "/redemptions/{id}/reversal", a, Map.of())
			.expectStatus()
			.isOk();

		String month = YearMonth.now(this.clock.withZone(ZoneId.of("Asia/Shanghai"))).toString();
		JsonNode statement = this.http.get()
			.uri("/api/v1/merchants/{id}/statements/{month}", this.merchant, month)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.till1)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		assertThat(statement.get("redemptions").asLong()).isEqualTo(3);
		assertThat(statement.get("reversals").asLong()).isEqualTo(1);
		// 30 + 30 + 15 captured, 30 reversed; discounts 10.00 + 8.00 + 9.98, 10.00
		// reversed.
		assertThat(statement.get("points").asLong()).isEqualTo(45);
		assertThat(statement.get("discountFen").asLong()).isEqualTo(800 + 998);
		assertThat(statement.get("subsidyFen").asLong()).isEqualTo(800);
		long ledgerPoints = services().count("""
				select coalesce(sum(e.amount), 0) from journal_entry e
				join journal_transaction t on t.id = e.transaction_id
				join account a on a.id = e.account_id
				where a.system_role = 'SINK' and t.type in ('CAPTURE', 'REFUND')
				  and t.request_id in (select 'redemption-' || id || case t.type when 'CAPTURE' then '-capture'
				                              else '-refund' end from redemption where merchant_id = ?)""",
				this.merchant);
		assertThat(statement.get("points").asLong()).isEqualTo(ledgerPoints);
		assertThat(statement.get("points").asLong()).isEqualTo(services().count("""
				select coalesce(sum(points), 0) from redemption where merchant_id = ? and status = 'CAPTURED'""",
				this.merchant));

		String csv = this.http.get()
			.uri("/api/v1/merchants/{id}/statements/{month}?format=csv", this.merchant, month)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.townAdmin)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentTypeCompatibleWith("text/csv")
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(csv).contains("\"老年理发\",2,1,30,800,800").contains(",total,,,3,1,45,1798,800");
		this.http.get()
			.uri("/api/v1/towns/{id}/merchant-statements/{month}", this.village.parentId().value(), month)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.townAdmin)
			.header(HttpHeaders.ACCEPT, "text/csv")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.value((body) -> assertThat(body).contains("寨里德益超市").contains(",total,,,3,1,45,1798,800"));
		// Another merchant's staff reads nothing of it.
		long other = post(this.townAdmin, "/api/v1/towns/{id}/merchants", this.village.parentId().value(),
				Map.of("name", "另一家", "servedRegionIds", List.of(this.village.id().value())))
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody()
			.get("id")
			.asLong();
		String stranger = staffOf(other, "till-other");
		this.http.get()
			.uri("/api/v1/merchants/{id}/statements/{month}", this.merchant, month)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + stranger)
			.exchange()
			.expectStatus()
			.isForbidden();
		assertIntact();
	}

	private long redeemAndConfirm(String token, Household household, long offer, Long billFen) {
		String code = issue(token, household, offer).get("code").asString();
		JsonNode held = redeem(this.till1,
				(billFen != null) ? Map.of("code", code, "billFen", billFen) : Map.of("code", code));
		assertThat(held.get("status").asString()).as(held.toString()).isEqualTo("HELD");
		confirm(this.till1, held.get("id").asLong()).expectStatus().isOk();
		return held.get("id").asLong();
	}

	private WebTestClient.ResponseSpec confirm(String till, long redemption) {
		return post(till, "/api/v1/merchants/" + this.merchant + "/redemptions/{id}/confirm", redemption, Map.of());
	}

	/** The till's answer: the redemption, or the problem (its status as a number). */
	private JsonNode redeem(String till, Map<String, Object> body) {
		return post(till, "/api/v1/merchants/{id}/redemptions", this.merchant, body).expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
	}

	private JsonNode issue(String token, Household household, long offer) {
		return this.http.post()
			.uri("/api/v1/members/{id}/offers/{offer}/codes", member(household).value(), offer)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.exchange()
			.expectStatus()
			.isCreated()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
	}

	private long offer(Map<String, Object> offer) {
		return post(this.townAdmin, "/api/v1/merchants/{id}/offers", this.merchant, offer).expectStatus()
			.isCreated()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody()
			.get("id")
			.asLong();
	}

	private String staff(String username) {
		return staffOf(this.merchant, username);
	}

	private String staffOf(long merchant, String username) {
		post(this.townAdmin, "/api/v1/merchants/{id}/staff", merchant,
				Map.of("username", username, "displayName", "收银员", "password", SignedIn.PASSWORD))
			.expectStatus()
			.isCreated();
		return SignedIn.login(this.http, username, SignedIn.PASSWORD).get("accessToken").asString();
	}

	private WebTestClient.ResponseSpec post(String token, String uri, Object id, Object body) {
		return this.http.post()
			.uri(uri, id)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.header("Idempotency-Key", UUID.randomUUID().toString())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange();
	}

	private long available(String token, Household household) {
		return this.http.get()
			.uri("/api/v1/households/{id}/balances", household.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody()
			.get(0)
			.get("available")
			.asLong();
	}

	private long settlement() {
		return services().count("""
				select coalesce(sum(available), 0) from account
				where system_role = 'MERCHANT_SETTLEMENT' and village_id = ?""", this.village.id().value());
	}

	private Caller villagerCaller(MemberId member) {
		return new Caller(0, member.value(), "villager",
				List.of(Grant.inRegion(Role.VILLAGER, this.village.id().value())));
	}

	private void assertIntact() {
		assertThat(this.ledger.verify(this.village.id()).block().intact()).isTrue();
	}

	private static MemberId member(Household household) {
		return household.members().get(0).id();
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Clocks {

		@Bean
		@Primary
		MovableClock movableClock() {
			return new MovableClock(Instant.now());
		}

	}

}
