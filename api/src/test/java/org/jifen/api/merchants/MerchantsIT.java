package org.jifen.api.merchants;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

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
import org.jifen.api.ledger.AccountRef;
import org.jifen.api.ledger.Ledger;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.ledger.Posting;
import org.jifen.api.ledger.SystemRole;
import org.jifen.api.shared.Actor;
import org.jifen.api.support.Fixtures;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.MovableClock;
import org.jifen.api.support.SignedIn;
import org.jifen.api.support.StatementLog;
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

	private static final Pattern RARELY_CHANGING = Pattern.compile(
			"from merchant m|from village_forbidden_goods|from star_rule|select id from account|into journal_chain");

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
		this.merchant = merchantNamed("寨里德益超市");
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

	/**
	 * A till with a queue: once the merchant, the village's forbidden goods and its star
	 * rule have been read, a verification reads none of them again, looks up no account
	 * separately from moving it, reads its offer's terms once, locked against an edit, in
	 * the statement that takes the member's lock, asks about the code's use and the
	 * member's uses at once, and posts the hold in two statements after them.
	 */
	@Test
	void aWarmVerificationReadsNoRarelyChangingData() {
		long offer = offer(Map.of("title", "理发", "type", "AMOUNT_OFF", "amountOffFen", 1500, "pointsCost", 20,
				"usesPerPeriod", 2, "usePeriod", "MONTH"));
		try (StatementLog log = StatementLog.open()) {
			for (int round = 0; round < 2; round++) {
				String code = issue(this.zhangToken, this.zhang, offer).get("code").asString();
				log.take();
				assertThat(redeem(this.till1, Map.of("code", code, "billFen", 2000)).get("status").asString())
					.isEqualTo("HELD");
				List<String> verification = log.take();
				if (round > 0) {
					assertThat(verification).noneMatch((sql) -> RARELY_CHANGING.matcher(sql).find());
					assertThat(verification).filteredOn((sql) -> sql.contains("merchant_offer where id"))
						.singleElement()
						.asString()
						.contains("pg_advisory_xact_lock")
						.endsWith("for share of merchant_offer");
					// The code's single use and the member's uses are one question; the
					// hold's posting is new, so no earlier one is looked up.
					assertThat(verification).filteredOn((sql) -> sql.contains("where code_nonce =")).singleElement();
					assertThat(verification).noneMatch((sql) -> sql.contains("from journal_transaction"));
					// The chain's lock finds the accounts; one statement moves them and
					// writes the journal.
					assertThat(verification).filteredOn((sql) -> sql.contains("from journal_chain c"))
						.singleElement()
						.asString()
						.contains("from account a")
						.endsWith("for update of c");
					assertThat(verification).filteredOn((sql) -> sql.contains("update account"))
						.singleElement()
						.asString()
						.contains("insert into journal_transaction", "update journal_chain");
				}
			}
		}
		assertThat(available(this.zhangToken, this.zhang)).isEqualTo(500 - 2 * 20);
		assertIntact();
	}

	/**
	 * The till scanned while an admin was withdrawing the offer: the hold waits for the
	 * withdrawal and honours it, instead of holding points on terms that no longer exist.
	 */
	@Test
	void aWithdrawalCommittedWhileATillScansIsHonouredByTheHold() throws Exception {
		long offer = offer(Map.of("title", "理发", "type", "AMOUNT_OFF", "amountOffFen", 1500, "pointsCost", 20));
		String code = issue(this.zhangToken, this.zhang, offer).get("code").asString();
		try (var connection = services().jdbc()) {
			connection.setAutoCommit(false);
			try (var edit = connection.prepareStatement("select id from merchant_offer where id = ? for update")) {
				edit.setLong(1, offer);
				edit.executeQuery().close();
			}
			var scan = Mono.fromCallable(() -> redeem(this.till1, Map.of("code", code, "billFen", 2000)))
				.subscribeOn(Schedulers.boundedElastic())
				.toFuture();
			await().atMost(Duration.ofSeconds(20))
				.until(() -> services().count("select count(*) from pg_stat_activity where wait_event_type = 'Lock' "
						+ "and query like '%merchant_offer where id%for share of merchant_offer'") == 1);
			try (var withdraw = connection.prepareStatement("update merchant_offer set active = false where id = ?")) {
				withdraw.setLong(1, offer);
				withdraw.executeUpdate();
			}
			connection.commit();

			JsonNode refused = scan.get(20, TimeUnit.SECONDS);
			assertThat(refused.get("type").asString()).isEqualTo("urn:jifen:problem:offer-withdrawn");
		}
		assertThat(available(this.zhangToken, this.zhang)).isEqualTo(500);
		assertThat(services().count("select count(*) from redemption")).isZero();
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
		String stranger = staffOf(merchantNamed("另一家"), "till-other");
		this.http.get()
			.uri("/api/v1/merchants/{id}/statements/{month}", this.merchant, month)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + stranger)
			.exchange()
			.expectStatus()
			.isForbidden();
		assertIntact();
	}

	@Test
	void anOfferInVolunteerPointsIsPaidFromTheMembersOwnPassbook() {
		MemberId volunteer = member(this.zhang);
		awardVolunteerPoints(volunteer, 50);
		long tea = offer(Map.of("title", "爱心超市 茶叶", "type", "ITEM_EXCHANGE", "stock", 5, "itemValueFen", 1800,
				"pointsCost", 30, "kind", "volunteer"));
		// Li's member has no volunteer points: the reason names the member's own figure.
		JsonNode liView = offersOf(this.liToken, this.li, "en").get(0);
		assertThat(liView.get("eligible").asBoolean()).isFalse();
		assertThat(liView.get("reasons").get(0).get("code").asString()).isEqualTo("insufficient-points");
		assertThat(liView.get("reasons").get(0).get("figures").get("available").asLong()).isZero();
		assertThat(liView.get("reasons").get(0).get("text").asString())
			.isEqualTo("Needs 30 points; you have 0 available");
		assertThat(offersOf(this.zhangToken, this.zhang, "en").get(0).get("eligible").asBoolean()).isTrue();

		JsonNode held = redeem(this.till1,
				Map.of("code", issue(this.zhangToken, this.zhang, tea).get("code").asString()));
		assertThat(held.get("paidBy").asString()).isEqualTo("MEMBER");
		assertThat(memberAvailable(volunteer)).isEqualTo(20);
		assertThat(available(this.zhangToken, this.zhang)).isEqualTo(500);
		cancel(this.till1, held.get("id").asLong()).expectStatus().isOk();
		assertThat(memberAvailable(volunteer)).isEqualTo(50);

		long confirmed = redeemAndConfirm(this.zhangToken, this.zhang, tea, null);
		assertThat(memberAvailable(volunteer)).isEqualTo(20);
		issueRefused(this.zhangToken, this.zhang, tea, "insufficient-points");
		post(this.till1, "/api/v1/merchants/" + this.merchant + "/redemptions/{id}/reversal", confirmed, Map.of())
			.expectStatus()
			.isOk();
		assertThat(memberAvailable(volunteer)).isEqualTo(50);
		assertThat(available(this.zhangToken, this.zhang)).isEqualTo(500);
		assertThat(services().count("select stock from merchant_offer where id = ?", tea)).isEqualTo(5);

		// Party points (红色存折) cannot be spent: a paid offer in them is refused at once,
		// a perk that only looks at them is fine.
		post(this.townAdmin, "/api/v1/merchants/{id}/offers", this.merchant,
				Map.of("title", "党员优惠", "type", "AMOUNT_OFF", "amountOffFen", 500, "pointsCost", 10, "kind", "party"))
			.expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:offer-kind-not-spendable")
			.jsonPath("$.kind")
			.isEqualTo("party");
		offer(Map.of("title", "党员优惠", "type", "AMOUNT_OFF", "amountOffFen", 500, "pointsCost", 0, "kind", "party"));
		assertIntact();
	}

	@Test
	void usesPerDayCountInTheVillagesDayAndACancelledHoldDoesNotCount() {
		// Twenty minutes before midnight in Shanghai, in the past (events fall due at
		// once).
		ZoneId shanghai = ZoneId.of("Asia/Shanghai");
		Instant midnight = LocalDate.now(this.clock.withZone(shanghai)).atStartOfDay(shanghai).toInstant();
		if (Duration.between(midnight, Instant.now()).toMinutes() < 30) {
			midnight = midnight.minus(Duration.ofDays(1));
		}
		this.clock.set(midnight.minus(Duration.ofMinutes(20)));
		long noodles = offer(Map.of("title", "早餐面条", "type", "AMOUNT_OFF", "amountOffFen", 300, "pointsCost", 5,
				"usesPerPeriod", 2, "usePeriod", "DAY"));
		redeemAndConfirm(this.zhangToken, this.zhang, noodles, 800L);
		JsonNode held = redeem(this.till1,
				Map.of("code", issue(this.zhangToken, this.zhang, noodles).get("code").asString(), "billFen", 800));
		cancel(this.till2, held.get("id").asLong()).expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("VOIDED");
		// Cancelling again (a retried tap) answers the same; nothing moves twice.
		cancel(this.till1, held.get("id").asLong()).expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("VOIDED");
		assertThat(available(this.zhangToken, this.zhang)).isEqualTo(495);
		long second = redeemAndConfirm(this.zhangToken, this.zhang, noodles, 800L);
		cancel(this.till1, second).expectStatus()
			.isEqualTo(409)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:redemption-not-held")
			.jsonPath("$.status")
			.isEqualTo(409)
			.jsonPath("$.redemptionStatus")
			.isEqualTo("CAPTURED");
		JsonNode refused = issueRefused(this.zhangToken, this.zhang, noodles, "uses-exhausted");
		assertThat(refused.get("used").asLong()).isEqualTo(2);
		assertThat(refused.get("usesPerPeriod").asLong()).isEqualTo(2);
		// Li's member has uses of their own.
		redeemAndConfirm(this.liToken, this.li, noodles, 800L);

		// A code shown just before midnight is still refused at the till: the hold
		// weighs uses again.
		String late = issue(this.liToken, this.li, noodles).get("code").asString();
		redeemAndConfirm(this.liToken, this.li, noodles, 800L);
		assertThat(redeem(this.till1, Map.of("code", late, "billFen", 800)).get("type").asString())
			.isEqualTo("urn:jifen:problem:uses-exhausted");

		this.clock.set(midnight.plus(Duration.ofMinutes(1)));
		redeemAndConfirm(this.zhangToken, this.zhang, noodles, 800L);
		assertThat(available(this.zhangToken, this.zhang)).isEqualTo(485);
		assertIntact();
	}

	@Test
	void anOfferIsUsedOnlyBetweenItsValidDates() {
		ZoneId shanghai = ZoneId.of("Asia/Shanghai");
		LocalDate today = LocalDate.now(this.clock.withZone(shanghai));
		long later = offer(Map.of("title", "国庆优惠", "type", "AMOUNT_OFF", "amountOffFen", 500, "pointsCost", 10,
				"validFrom", today.plusDays(1).toString()));
		long over = offer(Map.of("title", "中秋优惠", "type", "AMOUNT_OFF", "amountOffFen", 500, "pointsCost", 10,
				"validUntil", today.minusDays(1).toString()));
		long lastDay = offer(Map.of("title", "今天截止", "type", "AMOUNT_OFF", "amountOffFen", 500, "pointsCost", 10,
				"validFrom", today.minusDays(3).toString(), "validUntil", today.toString()));
		JsonNode views = offersOf(this.zhangToken, this.zhang, "en");
		assertThat(views.get(0).get("reasons").get(0).get("code").asString()).isEqualTo("not-yet-valid");
		assertThat(views.get(0).get("reasons").get(0).get("figures").get("validFrom").asString())
			.isEqualTo(today.plusDays(1).toString());
		assertThat(views.get(0).get("reasons").get(0).get("text").asString())
			.isEqualTo("Valid from " + today.plusDays(1));
		assertThat(views.get(1).get("reasons").get(0).get("code").asString()).isEqualTo("no-longer-valid");
		assertThat(views.get(2).get("eligible").asBoolean()).isTrue();
		assertThat(issueRefused(this.zhangToken, this.zhang, later, "not-yet-valid").get("validFrom").asString())
			.isEqualTo(today.plusDays(1).toString());
		assertThat(issueRefused(this.zhangToken, this.zhang, over, "no-longer-valid").get("validUntil").asString())
			.isEqualTo(today.minusDays(1).toString());

		// A code issued on the last day and scanned after midnight is refused at the
		// till, and nothing is held.
		Instant midnight = today.plusDays(1).atStartOfDay(shanghai).toInstant();
		this.clock.set(midnight.minusSeconds(30));
		String code = issue(this.zhangToken, this.zhang, lastDay).get("code").asString();
		this.clock.set(midnight.plusSeconds(30));
		JsonNode refused = redeem(this.till1, Map.of("code", code, "billFen", 2000));
		assertThat(refused.get("status").asInt()).isEqualTo(422);
		assertThat(refused.get("type").asString()).isEqualTo("urn:jifen:problem:no-longer-valid");
		assertThat(services().count("select count(*) from redemption")).isZero();
		assertThat(available(this.zhangToken, this.zhang)).isEqualTo(500);
		// Dates the wrong way round are bad input.
		post(this.townAdmin, "/api/v1/merchants/{id}/offers", this.merchant,
				Map.of("title", "错", "type", "AMOUNT_OFF", "amountOffFen", 500, "pointsCost", 10, "validFrom",
						today.toString(), "validUntil", today.minusDays(1).toString()))
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:offer-shape-invalid");
	}

	@Test
	void anAdminEditsAnOfferAndHoldsAlreadyMadeKeepTheirTerms() {
		long haircut = offer(Map.of("title", "理发", "type", "AMOUNT_OFF", "amountOffFen", 1500, "pointsCost", 20));
		JsonNode before = redeem(this.till1,
				Map.of("code", issue(this.zhangToken, this.zhang, haircut).get("code").asString(), "billFen", 2000));
		JsonNode edited = put(this.townAdmin, "/api/v1/merchants/" + this.merchant + "/offers/{id}", haircut,
				Map.of("title", "理发（新价）", "type", "AMOUNT_OFF", "amountOffFen", 1000, "pointsCost", 40, "minStars", 0))
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		assertThat(edited.get("title").asString()).isEqualTo("理发（新价）");
		assertThat(edited.get("pointsCost").asLong()).isEqualTo(40);
		assertThat(edited.get("active").asBoolean()).isTrue();
		confirm(this.till1, before.get("id").asLong()).expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.points")
			.isEqualTo(20)
			.jsonPath("$.discountFen")
			.isEqualTo(1500);
		JsonNode after = redeem(this.till1,
				Map.of("code", issue(this.zhangToken, this.zhang, haircut).get("code").asString(), "billFen", 2000));
		assertThat(after.get("points").asLong()).isEqualTo(40);
		assertThat(after.get("discountFen").asLong()).isEqualTo(1000);
		assertThat(available(this.zhangToken, this.zhang)).isEqualTo(500 - 20 - 40);

		put(this.townAdmin, "/api/v1/merchants/" + this.merchant + "/offers/{id}", haircut,
				Map.of("title", "理发", "type", "PERCENT_OFF", "percentOff", 10, "pointsCost", 40))
			.expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:offer-type-unchangeable")
			.jsonPath("$.offerType")
			.isEqualTo("AMOUNT_OFF");
		put(this.townAdmin, "/api/v1/merchants/" + this.merchant + "/offers/{id}", haircut,
				Map.of("title", "理发", "type", "AMOUNT_OFF", "pointsCost", 40))
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:offer-shape-invalid");
		put(this.townAdmin, "/api/v1/merchants/" + this.merchant + "/offers/{id}", haircut,
				Map.of("title", "", "type", "AMOUNT_OFF", "amountOffFen", -5, "pointsCost", 40))
			.expectStatus()
			.isBadRequest();
		put(this.townAdmin, "/api/v1/merchants/" + this.merchant + "/offers/{id}", haircut,
				Map.of("title", "理发", "type", "AMOUNT_OFF", "amountOffFen", 1000, "pointsCost", 40, "kind", "party"))
			.expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:offer-kind-not-spendable");
		// Staff of the till and villagers do not change offers; another merchant's offer
		// is not found here.
		Map<String, Object> terms = Map.of("title", "理发", "type", "AMOUNT_OFF", "amountOffFen", 1, "pointsCost", 0);
		put(this.till1, "/api/v1/merchants/" + this.merchant + "/offers/{id}", haircut, terms).expectStatus()
			.isForbidden();
		put(this.zhangToken, "/api/v1/merchants/" + this.merchant + "/offers/{id}", haircut, terms).expectStatus()
			.isForbidden();
		long other = merchantNamed("另一家");
		put(this.townAdmin, "/api/v1/merchants/" + other + "/offers/{id}", haircut, terms).expectStatus()
			.isNotFound()
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:offer-not-found");
		assertThat(services().count("select count(*) from audit_entry where action = 'merchant.offer-edited'"))
			.isEqualTo(1);
		assertThat(services().count("select count(*) from merchant_offer where title = '理发（新价）' and points_cost = 40"))
			.isEqualTo(1);
		assertIntact();
	}

	@Test
	void aWithdrawnOfferIsNoLongerShownIssuedOrRedeemedButItsHoldsMayStillBeConfirmed() {
		long haircut = offer(Map.of("title", "理发", "type", "AMOUNT_OFF", "amountOffFen", 1500, "pointsCost", 20));
		long books = offer(Map.of("title", "图书", "type", "PERCENT_OFF", "percentOff", 10, "pointsCost", 5));
		JsonNode held = redeem(this.till1,
				Map.of("code", issue(this.zhangToken, this.zhang, haircut).get("code").asString(), "billFen", 2000));
		String shown = issue(this.zhangToken, this.zhang, haircut).get("code").asString();
		for (int i = 0; i < 2; i++) {
			post(this.townAdmin, "/api/v1/merchants/" + this.merchant + "/offers/{id}/withdrawal", haircut, Map.of())
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.active")
				.isEqualTo(false);
		}
		assertThat(services().count("select count(*) from audit_entry where action = 'merchant.offer-withdrawn'"))
			.isEqualTo(1);
		JsonNode views = offersOf(this.zhangToken, this.zhang, "en");
		assertThat(views).extracting((view) -> view.get("offer").get("id").asLong()).containsExactly(books);
		issueRefused(this.zhangToken, this.zhang, haircut, "offer-withdrawn");
		assertThat(redeem(this.till2, Map.of("code", shown, "billFen", 2000)).get("type").asString())
			.isEqualTo("urn:jifen:problem:offer-withdrawn");
		confirm(this.till1, held.get("id").asLong()).expectStatus().isOk();
		assertThat(available(this.zhangToken, this.zhang)).isEqualTo(480);
		post(this.till1, "/api/v1/merchants/" + this.merchant + "/offers/{id}/withdrawal", books, Map.of())
			.expectStatus()
			.isForbidden();
		post(this.townAdmin, "/api/v1/merchants/" + this.merchant + "/offers/{id}/withdrawal", 999_999, Map.of())
			.expectStatus()
			.isNotFound();
		assertIntact();
	}

	@Test
	void restockingWhileExchangesTakeItemsNeverLosesOne() {
		long rice = offer(
				Map.of("title", "大米 5 斤", "type", "ITEM_EXCHANGE", "stock", 5, "itemValueFen", 2500, "pointsCost", 10));
		List<Supplier<String>> calls = new ArrayList<>();
		for (int i = 0; i < 30; i++) {
			String code = this.checkout.issue(villagerCaller(member(this.zhang)), member(this.zhang), rice)
				.block()
				.code();
			calls.add(() -> redeem(this.till1, Map.of("code", code)).path("status").asString(""));
			if (i % 3 == 0) {
				calls.add(() -> post(this.townAdmin, "/api/v1/merchants/" + this.merchant + "/offers/{id}/restock",
						rice, Map.of("quantity", 2))
					.expectStatus()
					.isOk()
					.expectBody(JsonNode.class)
					.returnResult()
					.getResponseBody()
					.get("stock")
					.asString());
			}
		}
		List<String> answers = Flux.fromIterable(calls)
			.parallel(16)
			.runOn(Schedulers.boundedElastic())
			.map(Supplier::get)
			.sequential()
			.collectList()
			.block(Duration.ofSeconds(120));
		assertThat(answers).hasSize(40);
		long held = services().count("select count(*) from redemption where offer_id = ? and status = 'HELD'", rice);
		long stock = services().count("select stock from merchant_offer where id = ?", rice);
		// Five at first and twenty restocked: every one is either on the shelf or held.
		assertThat(held + stock).isEqualTo(25);
		assertThat(answers.stream().filter("HELD"::equals).count()).isEqualTo(held);
		assertThat(available(this.zhangToken, this.zhang)).isEqualTo(500 - 10 * held);
		assertThat(services().count("select count(*) from audit_entry where action = 'merchant.offer-restocked'"))
			.isEqualTo(10);

		// A replayed restock (same Idempotency-Key) adds nothing more.
		String key = UUID.randomUUID().toString();
		for (int i = 0; i < 2; i++) {
			this.http.post()
				.uri("/api/v1/merchants/{m}/offers/{id}/restock", this.merchant, rice)
				.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.townAdmin)
				.header("Idempotency-Key", key)
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(Map.of("quantity", 3))
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.stock")
				.isEqualTo(stock + 3);
		}
		assertThat(services().count("select stock from merchant_offer where id = ?", rice)).isEqualTo(stock + 3);
		restockRefused(rice, Map.of("quantity", 0), 400, "validation-failed");
		restockRefused(rice, Map.of(), 400, "validation-failed");
		restockRefused(rice, Map.of("quantity", Offer.MAX_STOCK), 422, "stock-limit-exceeded");
		long haircut = offer(Map.of("title", "理发", "type", "AMOUNT_OFF", "amountOffFen", 1500, "pointsCost", 20));
		restockRefused(haircut, Map.of("quantity", 1), 422, "offer-has-no-stock");
		assertIntact();
	}

	@Test
	void theTillFindsItsHeldRedemptionsAfterACrashPageByPage() {
		long haircut = offer(Map.of("title", "理发", "type", "AMOUNT_OFF", "amountOffFen", 1500, "pointsCost", 20));
		List<Long> held = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			held.add(redeem(this.till1,
					Map.of("code", issue(this.zhangToken, this.zhang, haircut).get("code").asString(), "billFen", 2000))
				.get("id")
				.asLong());
		}
		long confirmed = redeemAndConfirm(this.liToken, this.li, haircut, 2000L);
		long cancelled = redeem(this.till1,
				Map.of("code", issue(this.liToken, this.li, haircut).get("code").asString(), "billFen", 2000))
			.get("id")
			.asLong();
		cancel(this.till1, cancelled).expectStatus().isOk();
		long reversed = redeemAndConfirm(this.zhangToken, this.zhang, haircut, 3000L);
		post(this.till1, "/api/v1/merchants/" + this.merchant + "/redemptions/{id}/reversal", reversed, Map.of())
			.expectStatus()
			.isOk();

		JsonNode first = redemptions(this.till2, "?status=held&limit=2").expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		assertThat(first.get("items")).extracting((item) -> item.get("id").asLong())
			.containsExactly(held.get(2), held.get(1));
		JsonNode second = redemptions(this.till2, "?status=held&limit=2&cursor=" + first.get("nextCursor").asString())
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		assertThat(second.get("items")).extracting((item) -> item.get("id").asLong()).containsExactly(held.get(0));
		assertThat(second.hasNonNull("nextCursor")).isFalse();
		assertThat(statuses("?status=confirmed")).containsExactly(confirmed);
		assertThat(statuses("?status=VOIDED")).containsExactly(cancelled);
		assertThat(statuses("?status=reversed")).containsExactly(reversed);
		assertThat(statuses("")).containsExactly(reversed, cancelled, confirmed, held.get(2), held.get(1), held.get(0));
		// The town's admin reads them too; another merchant's till and villagers do not.
		redemptions(this.townAdmin, "?status=held").expectStatus().isOk();
		redemptions(staffOf(merchantNamed("另一家"), "till-other"), "").expectStatus().isForbidden();
		redemptions(this.zhangToken, "").expectStatus().isForbidden();
		redemptions(this.till1, "?status=lost").expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:invalid-redemption-status")
			.jsonPath("$.redemptionStatus")
			.isEqualTo("lost")
			.jsonPath("$.status")
			.isEqualTo(400);
		redemptions(this.till1, "?limit=0").expectStatus().isBadRequest();
		redemptions(this.till1, "?cursor=garbage").expectStatus().isBadRequest();
	}

	private WebTestClient.ResponseSpec redemptions(String token, String query) {
		return this.http.get()
			.uri("/api/v1/merchants/" + this.merchant + "/redemptions" + query)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.exchange();
	}

	private List<Long> statuses(String query) {
		List<Long> ids = new ArrayList<>();
		redemptions(this.till1, query).expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody()
			.get("items")
			.forEach((item) -> ids.add(item.get("id").asLong()));
		return ids;
	}

	private void restockRefused(long offer, Map<String, Object> body, int status, String type) {
		post(this.townAdmin, "/api/v1/merchants/" + this.merchant + "/offers/{id}/restock", offer, body).expectStatus()
			.isEqualTo(status)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:" + type);
	}

	private long merchantNamed(String name) {
		return post(this.townAdmin, "/api/v1/towns/{id}/merchants", this.village.parentId().value(),
				Map.of("name", name, "servedRegionIds", List.of(this.village.id().value())))
			.expectStatus()
			.isCreated()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody()
			.get("id")
			.asLong();
	}

	private JsonNode offersOf(String token, Household household, String language) {
		return this.http.get()
			.uri("/api/v1/members/{id}/offers", member(household).value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.header(HttpHeaders.ACCEPT_LANGUAGE, language)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
	}

	/** The problem refusing a code, checked to be a 422 of this type. */
	private JsonNode issueRefused(String token, Household household, long offer, String type) {
		JsonNode problem = this.http.post()
			.uri("/api/v1/members/{id}/offers/{offer}/codes", member(household).value(), offer)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.exchange()
			.expectStatus()
			.isEqualTo(422)
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		assertThat(problem.get("type").asString()).isEqualTo("urn:jifen:problem:" + type);
		return problem;
	}

	private WebTestClient.ResponseSpec cancel(String till, long redemption) {
		return post(till, "/api/v1/merchants/" + this.merchant + "/redemptions/{id}/cancel", redemption, Map.of());
	}

	private WebTestClient.ResponseSpec put(String token, String uri, Object id, Object body) {
		return send(this.http.put(), token, uri, id, body);
	}

	private void awardVolunteerPoints(MemberId member, long points) {
		long kind = this.kinds.kind(this.village.id(), PointKinds.VOLUNTEER).block().id();
		this.ledger.post(new Posting(this.village.id(), kind, "AWARD", "志愿服务", null,
				List.of(new Posting.Leg(new AccountRef.Member(member), points, points),
						new Posting.Leg(AccountRef.system(SystemRole.ISSUANCE), -points, 0))))
			.block();
	}

	private long memberAvailable(MemberId member) {
		return services().count("select coalesce(sum(available), 0) from account where member_id = ?", member.value());
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
		return send(this.http.post(), token, uri, id, body);
	}

	private WebTestClient.ResponseSpec send(WebTestClient.RequestBodyUriSpec request, String token, String uri,
			Object id, Object body) {
		return request.uri(uri, id)
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
