package org.jifen.api.boards;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.jifen.api.catalog.Catalog;
import org.jifen.api.catalog.CatalogItemDraft;
import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Caller;
import org.jifen.api.identity.Role;
import org.jifen.api.ledger.AccountRef;
import org.jifen.api.ledger.Ledger;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.ledger.Posting;
import org.jifen.api.ledger.SystemRole;
import org.jifen.api.outbox.OutboxEvent;
import org.jifen.api.support.Fixtures;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.SignedIn;
import org.jifen.api.village.Household;
import org.jifen.api.village.NewHousehold;
import org.jifen.api.village.Region;
import org.jifen.api.village.RegionLevel;
import org.jifen.api.village.Villages;
import org.jifen.api.web.PageRequest;
import org.jifen.leaderboards.BoardKey;
import org.jifen.leaderboards.Leaderboards;
import org.jifen.leaderboards.Standing;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Household boards against real Redis and PostgreSQL: live from ledger events (through
 * the relay, or handed to the consumer with chosen times), read through the API, and
 * rebuilt from the ledger.
 */
class BoardsIT extends IntegrationTest {

	/**
	 * Far above the ids the ledger hands out in a test, so crafted events never meet real
	 * ones.
	 */
	private static final AtomicLong CRAFTED_TRANSACTIONS = new AtomicLong(1_000_000);

	@Autowired
	private Villages villages;

	@Autowired
	private Accounts accounts;

	@Autowired
	private Ledger ledger;

	@Autowired
	private PointKinds kinds;

	@Autowired
	private Catalog catalog;

	@Autowired
	private BoardsConsumer consumer;

	@Autowired
	private Leaderboards leaderboards;

	@Autowired
	private JsonMapper json;

	private Region village;

	private long kind;

	private Household zhang;

	private Household li;

	private Household wang;

	private String admin;

	@BeforeEach
	void aVillageOfThreeHouseholds() {
		services().wipe();
		this.village = Fixtures.village(this.villages, "boards");
		this.villages
			.registerHouseholds(this.village.id(),
					List.of(household("001", "张小明"), household("002", "李四"), household("003", "王五")))
			.block();
		List<Household> households = this.villages.households(this.village.id(), PageRequest.of(null, 10))
			.block()
			.items()
			.stream()
			.map((summary) -> this.villages.household(summary.id()).block())
			.toList();
		this.zhang = households.get(0);
		this.li = households.get(1);
		this.wang = households.get(2);
		this.kind = this.kinds.defaultKind(this.village.id()).block().id();
		this.admin = SignedIn.staff(this.http, this.accounts, "boards-admin", Role.VILLAGE_ADMIN,
				this.village.id().value());
	}

	@Test
	void equalPointsRankTheHouseholdThatReachedThemFirstHigher() {
		Instant morning = Instant.parse("2026-11-02T01:00:00Z");
		posted(this.zhang, 10, morning.plusSeconds(3600));
		posted(this.li, 10, morning);
		posted(this.wang, 5, morning.minusSeconds(3600));

		JsonNode board = board(this.admin, "all");
		assertThat(board.get("ranked").asLong()).isEqualTo(3);
		assertThat(numbers(board)).containsExactly("002", "001", "003");
		assertThat(board.get("top").get(0).get("rank").asLong()).isEqualTo(1);
		assertThat(board.get("top").get(0).get("points").asLong()).isEqualTo(10);
		assertThat(board.get("top").get(1).get("points").asLong()).isEqualTo(10);
	}

	@Test
	void theLastSecondOfMarchCountsForTheFirstQuarterAndMidnightForTheSecond() {
		Instant lastSecondOfMarch = OffsetDateTime.parse("2027-03-31T23:59:59+08:00").toInstant();
		Instant firstOfApril = OffsetDateTime.parse("2027-04-01T00:00:00+08:00").toInstant();
		posted(this.zhang, 3, lastSecondOfMarch);
		posted(this.li, 4, firstOfApril);

		assertThat(pointsOn("2027-Q1")).isEqualTo(Map.of("001", 3L));
		assertThat(pointsOn("2027-Q2")).isEqualTo(Map.of("002", 4L));
		assertThat(pointsOn("2027-03")).isEqualTo(Map.of("001", 3L));
		assertThat(pointsOn("2027-04")).isEqualTo(Map.of("002", 4L));
		assertThat(pointsOn("2027")).isEqualTo(Map.of("001", 3L, "002", 4L));
		// The town's and county's boards move with the village's.
		BoardKey townQ1 = BoardKey.of("region-" + this.village.parentId().value(), "2027-Q1", "kind-" + this.kind);
		assertThat(this.leaderboards.standingOf(townQ1, String.valueOf(this.zhang.id().value())).block().points())
			.isEqualTo(3);
	}

	@Test
	void aReplayedEventDoesNotCountTwice() {
		OutboxEvent event = event(CRAFTED_TRANSACTIONS.incrementAndGet(), this.zhang, 10,
				Instant.parse("2026-11-02T01:00:00Z"), "AWARD");
		this.consumer.handle(event).block();
		this.consumer.handle(event).block();
		this.consumer.handle(event).block();

		assertThat(pointsOn("all")).isEqualTo(Map.of("001", 10L));
		assertThat(pointsOn("2026-11")).isEqualTo(Map.of("001", 10L));
	}

	@Test
	void aFlushedRedisGivesTheSameBoardsAgainFromTheLedger() {
		award(this.zhang, 7);
		award(this.li, 12);
		award(this.wang, 3);
		this.ledger.post(Posting.deduction(this.village.id(), this.kind, this.li.id(), 2, "乱堆乱放", null)).block();
		awaitDelivered();
		JsonNode month = board(this.admin, "month");
		JsonNode all = board(this.admin, "all");
		JsonNode ranks = ranks(this.admin);
		assertThat(numbers(month)).containsExactly("002", "001", "003");
		assertThat(month.get("top").get(0).get("points").asLong()).isEqualTo(10);

		// Read again lazily after the flush: a missing board is rebuilt on first read.
		services().flushRedis();
		assertThat(board(this.admin, "month")).isEqualTo(month);
		assertThat(board(this.admin, "all")).isEqualTo(all);

		// And by the admin's rebuild.
		services().flushRedis();
		JsonNode rebuilt = rebuild("");
		// Four kinds (two of households, two of members) in four periods.
		assertThat(rebuilt.get("boards").asInt()).isEqualTo(16);
		assertThat(board(this.admin, "month")).isEqualTo(month);
		assertThat(board(this.admin, "all")).isEqualTo(all);
		assertThat(ranks(this.admin)).isEqualTo(ranks);
		assertThat(check().get("differences")).isEmpty();
	}

	@Test
	void theCheckListsWhereABoardDiffersFromTheLedger() {
		award(this.zhang, 7);
		awaitDelivered();
		assertThat(check().get("differences")).isEmpty();

		// A change the ledger never saw.
		posted(this.li, 4, Instant.now());
		JsonNode differences = check().get("differences");
		assertThat(differences).isNotEmpty();
		assertThat(differences.valueStream().map((difference) -> difference.get("householdId").asLong()))
			.containsOnly(this.li.id().value());
		assertThat(differences.get(0).get("boardPoints").asLong()).isEqualTo(4);
		assertThat(differences.get(0).path("ledgerPoints").isMissingNode()
				|| differences.get(0).path("ledgerPoints").isNull())
			.isTrue();
	}

	@Test
	void villagersSeeMaskedNamesButTheirOwnWhileAdminsSeeFullNames() {
		award(this.zhang, 7);
		award(this.li, 12);
		awaitDelivered();
		String villager = SignedIn.villager(this.http, this.accounts, "zhang-boards", this.zhang.members().get(0).id());

		JsonNode seenByVillager = board(villager, "month");
		assertThat(names(seenByVillager)).containsExactly("李*", "张*明");
		assertThat(seenByVillager.get("mine").get("rank").asLong()).isEqualTo(2);
		assertThat(seenByVillager.get("mine").get("name").asString()).isEqualTo("张小明");
		assertThat(seenByVillager.get("mine").get("points").asLong()).isEqualTo(7);

		JsonNode seenByAdmin = board(this.admin, "month");
		assertThat(names(seenByAdmin)).containsExactly("李四", "张小明");
		assertThat(seenByAdmin.path("mine").isMissingNode() || seenByAdmin.path("mine").isNull()).isTrue();

		JsonNode ranks = ranks(villager);
		assertThat(ranks.get("ranks")).hasSize(12);
		assertThat(ranks.get("ranks").get(0).get("level").asString()).isEqualTo("VILLAGE");
		assertThat(ranks.get("ranks").get(0).get("rank").asLong()).isEqualTo(1);
		assertThat(ranks.get("ranks").get(0).get("points").asLong()).isEqualTo(12);
	}

	@Test
	void membersOfAMemberOwnedKindHaveTheirOwnBoards() {
		long volunteer = this.kinds.kind(this.village.id(), PointKinds.VOLUNTEER).block().id();
		volunteerHours(volunteer, this.zhang, 30);
		volunteerHours(volunteer, this.li, 50);
		awaitDelivered();
		String villager = SignedIn.villager(this.http, this.accounts, "zhang-volunteer",
				this.zhang.members().get(0).id());

		JsonNode board = this.http.get()
			.uri("/api/v1/villages/{id}/boards?period=year&kind=volunteer", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + villager)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		assertThat(names(board)).containsExactly("李*", "张*明");
		assertThat(board.get("top").get(0).get("memberId").asLong()).isEqualTo(this.li.members().get(0).id().value());
		assertThat(board.get("mine").get("points").asLong()).isEqualTo(30);

		services().flushRedis();
		rebuild("");
		assertThat(check().get("differences")).isEmpty();
		this.http.get()
			.uri("/api/v1/households/{id}/ranks?kind=volunteer", this.li.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.admin)
			.exchange()
			.expectStatus()
			.isEqualTo(422);
	}

	@Test
	void starsByThresholdAndByShareFollowTheVillagesRule() {
		award(this.zhang, 7);
		award(this.li, 10);
		award(this.wang, 3);
		awaitDelivered();
		this.http.get()
			.uri("/api/v1/villages/{id}/boards/stars", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.admin)
			.exchange()
			.expectStatus()
			.isNotFound();

		starRule(Map.of("period", "MONTH", "mode", "THRESHOLD", "steps", List.of(Map.of("stars", 3, "bound", 5),
				Map.of("stars", 4, "bound", 8), Map.of("stars", 5, "bound", 10))));
		assertThat(stars()).containsExactly(5, 3, 0);

		starRule(Map.of("period", "MONTH", "mode", "SHARE", "steps",
				List.of(Map.of("stars", 5, "bound", 10), Map.of("stars", 3, "bound", 50))));
		assertThat(stars()).containsExactly(5, 3, 0);

		starRule(Map.of("period", "MONTH", "mode", "SHARE", "steps",
				List.of(Map.of("stars", 5, "bound", 10), Map.of("stars", 4, "bound", 67))));
		assertThat(stars()).containsExactly(5, 4, 4);
		assertThat(services().count("select count(*) from audit_entry where action = 'star-rule.set'")).isEqualTo(3);

		this.http.put()
			.uri("/api/v1/villages/{id}/boards/star-rules/household", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.admin)
			.bodyValue(Map.of("period", "MONTH", "mode", "SHARE", "steps", List.of(Map.of("stars", 5, "bound", 120))))
			.exchange()
			.expectStatus()
			.isBadRequest();
	}

	@Test
	void aCategoryBoardCountsOnlyPointsEarnedUnderItsCategory() {
		catalogCategories("孝", "善", "勤");
		award(this.zhang, 7, "孝");
		award(this.li, 12, "善");
		award(this.wang, 3, "孝");
		award(this.li, 20);
		awaitDelivered();
		String path = "/api/v1/villages/{id}/boards?period=month&category={category}";
		JsonNode filial = readJson(this.admin, path, this.village.id().value(), "孝");
		assertThat(filial.get("category").asString()).isEqualTo("孝");
		assertThat(numbers(filial)).containsExactly("001", "003");
		assertThat(filial.get("top").get(0).get("points").asLong()).isEqualTo(7);
		assertThat(numbers(readJson(this.admin, path, this.village.id().value(), "善"))).containsExactly("002");
		assertThat(numbers(readJson(this.admin, path, this.village.id().value(), "勤"))).isEmpty();
		// The board of every category still counts everything.
		assertThat(board(this.admin, "month").get("top").get(0).get("points").asLong()).isEqualTo(32);

		services().flushRedis();
		assertThat(readJson(this.admin, path, this.village.id().value(), "孝")).isEqualTo(filial);

		// A category board that went wrong is found by the check and put right by a
		// rebuild.
		this.leaderboards
			.setPoints(BoardKey.of("region-" + this.village.id().value(), "all", "kind-" + this.kind)
				.withCategory("%E5%AD%9D"), String.valueOf(this.wang.id().value()), 99, Instant.now())
			.block();
		String check = "/api/v1/regions/{id}/boards/check?category={category}";
		assertThat(readJson(this.admin, check, this.village.id().value(), "孝").get("differences")).isNotEmpty();
		rebuild("?category=孝");
		assertThat(readJson(this.admin, check, this.village.id().value(), "孝").get("differences")).isEmpty();
	}

	@Test
	void aCategoryNoCatalogItemHasHasNoBoard() {
		catalogCategories("孝");
		this.http.get()
			.uri("/api/v1/villages/{id}/boards?period=month&category={category}", this.village.id().value(), "编造")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.admin)
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectBody()
			.jsonPath("$.type")
			.value((type) -> assertThat(type.toString()).endsWith("board-not-found"));
	}

	@Test
	void aBoardReadWhileEmptyShowsThePostingsThatFollow() {
		catalogCategories("孝");
		String path = "/api/v1/villages/{id}/boards?period=month&category={category}";
		assertThat(numbers(readJson(this.admin, path, this.village.id().value(), "孝"))).isEmpty();
		assertThat(numbers(readJson(this.admin, path, this.village.id().value(), "孝"))).isEmpty();
		award(this.li, 4, "孝");
		awaitDelivered();
		assertThat(numbers(readJson(this.admin, path, this.village.id().value(), "孝"))).containsExactly("002");
	}

	private void catalogCategories(String... categories) {
		Caller setup = SignedIn.staffCaller(this.accounts, "catalog-" + UUID.randomUUID(), Role.VILLAGE_ADMIN,
				this.village.id().value());
		for (int i = 0; i < categories.length; i++) {
			this.catalog
				.save(this.village.id(),
						new CatalogItemDraft("item-" + i, "条目" + i, categories[i], 3, null, null, false, null, null),
						setup.actor())
				.block();
		}
	}

	@Test
	void theRedBoardShowsOnlyHouseholdsAboveZeroAndAVillagerReadsThePageAroundThem() {
		award(this.zhang, 7);
		award(this.li, 12);
		award(this.wang, 3);
		this.ledger.post(Posting.deduction(this.village.id(), this.kind, this.wang.id(), 5, "乱堆乱放", null)).block();
		awaitDelivered();

		JsonNode red = readJson(this.admin, "/api/v1/villages/{id}/boards/red", this.village.id().value());
		assertThat(numbers(red)).containsExactly("002", "001");
		assertThat(red.get("ranked").asLong()).isEqualTo(3);

		String villager = SignedIn.villager(this.http, this.accounts, "zhang-around", this.zhang.members().get(0).id());
		JsonNode around = readJson(villager, "/api/v1/villages/{id}/boards/around-me?above=1&below=1",
				this.village.id().value());
		assertThat(around.get("page").valueStream().map((line) -> line.get("name").asString())).containsExactly("李*",
				"张小明", "王*");
		assertThat(around.get("page").valueStream().map((line) -> line.get("rank").asLong())).containsExactly(1L, 2L,
				3L);
		assertThat(
				readJson(villager, "/api/v1/villages/{id}/boards/around-me?above=0&below=0", this.village.id().value())
					.get("page"))
			.hasSize(1);
		// An admin is on no board of the village: an empty page.
		assertThat(
				readJson(this.admin, "/api/v1/villages/{id}/boards/around-me", this.village.id().value()).get("page"))
			.isEmpty();
	}

	@Test
	void villagersReadTheBoardOfTheirTownAndCountyButNotOfAnother() {
		award(this.zhang, 7);
		award(this.li, 12);
		awaitDelivered();
		String villager = SignedIn.villager(this.http, this.accounts, "zhang-town", this.zhang.members().get(0).id());
		long town = this.village.parentId().value();

		JsonNode townBoard = readJson(villager, "/api/v1/regions/{id}/boards?period=all", town);
		assertThat(townBoard.get("regionId").asLong()).isEqualTo(town);
		assertThat(names(townBoard)).containsExactly("李*", "张*明");
		assertThat(townBoard.get("mine").get("rank").asLong()).isEqualTo(2);

		Region elsewhere = this.villages.createRegion(null, RegionLevel.COUNTY, "boards-elsewhere", "别县").block();
		this.http.get()
			.uri("/api/v1/regions/{id}/boards", elsewhere.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + villager)
			.exchange()
			.expectStatus()
			.isForbidden();
	}

	/** The admin's rebuild of the village's boards; the answer. */
	private JsonNode rebuild(String query) {
		return this.http.post()
			.uri("/api/v1/regions/{id}/boards/rebuild" + query, this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.admin)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
	}

	private void awaitDelivered() {
		await().atMost(Duration.ofSeconds(10))
			.until(() -> services().count("select count(*) from outbox_event where status <> 'DONE'") == 0);
	}

	@Test
	void aPeriodThatIsNotOneIsRefused() {
		this.http.get()
			.uri("/api/v1/villages/{id}/boards?period=week", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.admin)
			.exchange()
			.expectStatus()
			.isBadRequest();
	}

	private void starRule(Map<String, Object> rule) {
		this.http.put()
			.uri("/api/v1/villages/{id}/boards/star-rules/household", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.admin)
			.bodyValue(rule)
			.exchange()
			.expectStatus()
			.isOk();
	}

	private List<Integer> stars() {
		JsonNode board = readJson(this.admin, "/api/v1/villages/{id}/boards/stars", this.village.id().value());
		return board.get("top").valueStream().map((line) -> line.get("stars").asInt()).toList();
	}

	private void award(Household household, long points) {
		award(household, points, null);
	}

	private void award(Household household, long points, String category) {
		this.ledger
			.post(Posting.award(this.village.id(), this.kind, household.id(), points, "参加义务劳动", null)
				.inCategory(category))
			.block();
	}

	private void volunteerHours(long kind, Household household, long points) {
		AccountRef member = new AccountRef.Member(household.members().get(0).id());
		this.ledger.post(new Posting(this.village.id(), kind, "AWARD", "志愿服务", null,
				List.of(new Posting.Leg(member, points, points),
						new Posting.Leg(new AccountRef.System(SystemRole.ISSUANCE), -points, 0))))
			.block();
	}

	/** Hands the consumer a posting made at a chosen moment, as the relay would. */
	private void posted(Household household, long points, Instant at) {
		this.consumer.handle(event(CRAFTED_TRANSACTIONS.incrementAndGet(), household, points, at, "AWARD")).block();
	}

	private OutboxEvent event(long transactionId, Household household, long points, Instant at, String type) {
		List<Map<String, Object>> legs = new ArrayList<>();
		legs.add(Map.of("accountId", 1, "householdId", household.id().value(), "amount", points, "scoreDelta", points));
		legs.add(Map.of("accountId", 2, "systemRole", "ISSUANCE", "amount", -points, "scoreDelta", 0));
		JsonNode payload = this.json.valueToTree(
				Map.of("transactionId", transactionId, "villageId", this.village.id().value(), "seq", transactionId,
						"kindId", this.kind, "type", type, "memo", "测试", "occurredAt", at.toString(), "legs", legs));
		return new OutboxEvent(transactionId, "points.posted", this.village.id().value(), payload, at, 0);
	}

	private Map<String, Long> pointsOn(String period) {
		BoardKey key = BoardKey.of("region-" + this.village.id().value(), period, "kind-" + this.kind);
		Map<Long, String> numbers = Map.of(this.zhang.id().value(), "001", this.li.id().value(), "002",
				this.wang.id().value(), "003");
		return this.leaderboards.top(key, 10)
			.collectMap((standing) -> numbers.get(Long.parseLong(standing.member())), Standing::points)
			.block();
	}

	private JsonNode board(String token, String period) {
		return readJson(token, "/api/v1/villages/{id}/boards?period={period}", this.village.id().value(), period);
	}

	private JsonNode ranks(String token) {
		return readJson(token, "/api/v1/households/{id}/ranks", this.li.id().value());
	}

	private JsonNode check() {
		return readJson(this.admin, "/api/v1/regions/{id}/boards/check", this.village.id().value());
	}

	private static List<String> numbers(JsonNode board) {
		return board.get("top").valueStream().map((line) -> line.get("householdNumber").asString()).toList();
	}

	private static List<String> names(JsonNode board) {
		return board.get("top").valueStream().map((line) -> line.get("name").asString()).toList();
	}

	private static NewHousehold household(String number, String head) {
		return new NewHousehold(null, number, head, null, List.of(new NewHousehold.NewMember(head, "户主", 1960)));
	}

}
