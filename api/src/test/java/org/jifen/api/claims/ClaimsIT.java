package org.jifen.api.claims;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Grant;
import org.jifen.api.identity.Role;
import org.jifen.api.ledger.Ledger;
import org.jifen.api.support.Fixtures;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.SignedIn;
import org.jifen.api.village.Household;
import org.jifen.api.village.Region;
import org.jifen.api.village.Villages;
import org.jifen.api.web.PageRequest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The public workflow end to end over HTTP, with the deadlines moved by handing the
 * scheduler's job a later clock instead of waiting: every transition and refusal, public
 * notice and objections, conflict of interest, rectification, caps, and exactly one
 * posting however often the job runs.
 */
class ClaimsIT extends IntegrationTest {

	private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

	@Autowired
	private Villages villages;

	@Autowired
	private Accounts accounts;

	@Autowired
	private Claims claims;

	@Autowired
	private Ledger ledger;

	private Region village;

	private Household zhang;

	private Household li;

	private String admin;

	private String reviewer;

	private String villagerZhang;

	private String villagerLi;

	@BeforeEach
	void aVillageWithItsCatalogAndPeople() {
		services().wipe();
		this.village = Fixtures.village(this.villages, "claims");
		this.villages
			.registerHouseholds(this.village.id(),
					List.of(Fixtures.household("001", "张小明"), Fixtures.household("002", "李秀英")))
			.block();
		var page = this.villages.households(this.village.id(), PageRequest.of(null, 2)).block().items();
		this.zhang = this.villages.household(page.get(0).id()).block();
		this.li = this.villages.household(page.get(1).id()).block();
		long villageId = this.village.id().value();
		this.admin = SignedIn.staff(this.http, this.accounts, "claims-admin", Role.VILLAGE_ADMIN, villageId);
		this.reviewer = SignedIn.staff(this.http, this.accounts, "claims-reviewer", Role.REVIEWER, villageId);
		this.villagerZhang = SignedIn.villager(this.http, this.accounts, "zhang", this.zhang.members().get(0).id());
		this.villagerLi = SignedIn.villager(this.http, this.accounts, "li", this.li.members().get(0).id());
		saveItem("xiao-01", "照顾孤寡老人", "孝", 5, 10, "MONTH");
		saveItem("mei-09", "乱堆乱放", "美", -5, null, null);
	}

	@Test
	void aSelfReportGoesThroughReviewAndPublicNoticeIntoTheLedger() {
		long claimId = createdId(submit(this.villagerZhang, this.zhang, "xiao-01", "SELF_REPORT"));

		post(this.reviewer, "/api/v1/claims/{id}/approve", claimId, Map.of("reason", "属实")).expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("IN_NOTICE");
		this.http.get()
			.uri("/api/v1/villages/{id}/notices", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villagerLi)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$[0].claimId")
			.isEqualTo(claimId)
			.jsonPath("$[0].headName")
			.isEqualTo("张*明")
			.jsonPath("$[0].points")
			.isEqualTo(5);

		assertThat(this.claims.closeDue(Instant.now().plus(Duration.ofDays(6))).block()).isZero();
		assertThat(balance(this.zhang)).isZero();

		this.claims.closeDue(Instant.now().plus(Duration.ofDays(8))).block();
		assertThat(status(claimId)).isEqualTo("EFFECTIVE");
		assertThat(balance(this.zhang)).isEqualTo(5);
		// Filed under the item's category, for the category boards (善行义举榜).
		assertThat(services()
			.count("select count(*) from journal_transaction where memo = '照顾孤寡老人 (xiao-01 v1)' and category = '孝'"))
			.isOne();
		assertThat(this.ledger.verify(this.village.id()).block().intact()).isTrue();

		this.http.get()
			.uri("/api/v1/households/{id}/history", this.zhang.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villagerZhang)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.items[0].claimId")
			.isEqualTo(claimId)
			.jsonPath("$.items[0].itemCode")
			.isEqualTo("xiao-01")
			.jsonPath("$.items[0].itemVersion")
			.isEqualTo(1)
			.jsonPath("$.items[0].scoreDelta")
			.isEqualTo(5);
		this.http.get()
			.uri("/api/v1/households/{id}/balances", this.zhang.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villagerZhang)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$[0].month")
			.isEqualTo(5)
			.jsonPath("$[0].year")
			.isEqualTo(5);
	}

	@Test
	void aRetryWhoseFirstAttemptLandedUnacknowledgedFindsThatClaim() {
		long first = createdId(submitWithKey("retry-after-a-crash"));
		// The server went away between the claim's commit and its idempotency record.
		services().count("with gone as (delete from idempotency_key returning 1) select count(*) from gone");

		submitWithKey("retry-after-a-crash").expectStatus().isCreated().expectBody().jsonPath("$.id").isEqualTo(first);
		assertThat(services().count("select count(*) from claim where household_id = ?", this.zhang.id().value()))
			.isEqualTo(1);
		// Another key is another claim.
		submitWithKey("the-next-good-deed").expectStatus().isCreated();
		assertThat(services().count("select count(*) from claim where household_id = ?", this.zhang.id().value()))
			.isEqualTo(2);
	}

	private static long createdId(WebTestClient.ResponseSpec response) {
		return response.expectStatus()
			.isCreated()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody()
			.get("id")
			.asLong();
	}

	private WebTestClient.ResponseSpec submitWithKey(String idempotencyKey) {
		return this.http.post()
			.uri("/api/v1/villages/{id}/claims", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villagerZhang)
			.header("Idempotency-Key", idempotencyKey)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("householdId", this.zhang.id().value(), "itemCode", "xiao-01", "source", "SELF_REPORT",
					"description", "2026年11月 照顾邻居王奶奶"))
			.exchange();
	}

	@Test
	void aVillageChoosesHowLongItsNoticesLast() {
		putSettings(this.reviewer, Map.of("noticeDays", 3, "rectifyDays", 5)).expectStatus().isForbidden();
		putSettings(this.admin, Map.of("noticeDays", 3, "rectifyDays", 5)).expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.noticeDays")
			.isEqualTo(3);
		long claimId = submitted(this.villagerZhang, this.zhang, "xiao-01", "SELF_REPORT");
		post(this.reviewer, "/api/v1/claims/{id}/approve", claimId, Map.of()).expectStatus().isOk();

		this.claims.closeDue(Instant.now().plus(Duration.ofDays(4))).block();
		assertThat(status(claimId)).isEqualTo("EFFECTIVE");
	}

	private WebTestClient.ResponseSpec putSettings(String token, Map<String, ?> body) {
		return this.http.put()
			.uri("/api/v1/villages/{id}/settings", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange();
	}

	@Test
	void theDeadlineJobPostsEachClaimOnceHoweverOftenItRuns() {
		long claimId = submitted(this.villagerZhang, this.zhang, "xiao-01", "SELF_REPORT");
		post(this.reviewer, "/api/v1/claims/{id}/approve", claimId, Map.of()).expectStatus().isOk();

		Instant later = Instant.now().plus(Duration.ofDays(8));
		Mono.zip(this.claims.closeDue(later), this.claims.closeDue(later), this.claims.closeDue(later)).block();
		this.claims.closeDue(later).block();

		assertThat(balance(this.zhang)).isEqualTo(5);
		assertThat(services().count("select count(*) from journal_transaction")).isOne();
	}

	@Test
	void anObjectionDuringTheNoticeSendsTheClaimBackToReview() {
		long claimId = submitted(this.villagerZhang, this.zhang, "xiao-01", "SELF_REPORT");
		post(this.reviewer, "/api/v1/claims/{id}/approve", claimId, Map.of()).expectStatus().isOk();

		post(this.villagerLi, "/api/v1/claims/{id}/objections", claimId, Map.of("reason", "老人已由子女照顾")).expectStatus()
			.isCreated()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("OBJECTED");
		this.claims.closeDue(Instant.now().plus(Duration.ofDays(30))).block();
		assertThat(balance(this.zhang)).isZero();

		post(this.reviewer, "/api/v1/claims/{id}/reject", claimId, Map.of("reason", "经核实不属实")).expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("REJECTED");
	}

	@Test
	void illegalTransitionsAreConflicts() {
		long claimId = submitted(this.villagerZhang, this.zhang, "xiao-01", "SELF_REPORT");
		post(this.villagerLi, "/api/v1/claims/{id}/objections", claimId, Map.of("reason", "x")).expectStatus()
			.isEqualTo(409)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:illegal-transition");
		post(this.reviewer, "/api/v1/claims/{id}/reject", claimId, Map.of("reason", "证据不足")).expectStatus().isOk();
		post(this.reviewer, "/api/v1/claims/{id}/approve", claimId, Map.of()).expectStatus()
			.isEqualTo(409)
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo(409)
			.jsonPath("$.claimStatus")
			.isEqualTo("REJECTED");
	}

	@Test
	void aRejectionNeedsAReason() {
		long claimId = submitted(this.villagerZhang, this.zhang, "xiao-01", "SELF_REPORT");
		post(this.reviewer, "/api/v1/claims/{id}/reject", claimId, Map.of("reason", " ")).expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("reason");
		assertThat(status(claimId)).isEqualTo("SUBMITTED");
	}

	@Test
	void aReviewerCannotDecideAClaimAboutTheirOwnHousehold() {
		String ownReviewer = reviewerOfZhangsHousehold("zhang-reviewer");
		long claimId = submitted(this.villagerZhang, this.zhang, "xiao-01", "SELF_REPORT");

		post(ownReviewer, "/api/v1/claims/{id}/approve", claimId, Map.of()).expectStatus()
			.isForbidden()
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:conflict-of-interest");
		assertThat(status(claimId)).isEqualTo("SUBMITTED");
	}

	@Test
	void whoMayPutWhichClaimForward() {
		submit(this.villagerZhang, this.li, "xiao-01", "SELF_REPORT").expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:source-not-allowed");
		submit(this.villagerZhang, this.zhang, "xiao-01", "NEIGHBOUR").expectStatus().isEqualTo(422);
		submit(this.villagerLi, this.zhang, "xiao-01", "NEIGHBOUR").expectStatus().isCreated();
		submit(this.villagerLi, this.zhang, "mei-09", "NEIGHBOUR").expectStatus().isEqualTo(422);
		submit(this.villagerLi, this.zhang, "mei-09", "ORGANISATION").expectStatus().isForbidden();
		submit(this.reviewer, this.zhang, "mei-09", "ORGANISATION").expectStatus().isCreated();
	}

	@Test
	void anAdminSelfReportsForAVillagerWithoutASmartphoneAndTheTrailKeepsBoth() {
		long member = this.zhang.members().get(1).id().value();
		this.http.post()
			.uri("/api/v1/villages/{id}/claims", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.admin)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("householdId", this.zhang.id().value(), "itemCode", "xiao-01", "source", "SELF_REPORT",
					"description", "代办: 照顾邻居王奶奶", "onBehalfOfMemberId", member))
			.exchange()
			.expectStatus()
			.isCreated()
			.expectBody()
			.jsonPath("$.onBehalfOf")
			.isEqualTo(member);

		assertThat(services().count("""
				select count(*) from audit_entry a join app_user u on u.id = a.actor_user_id
				where a.action = 'claim.submitted' and u.username = 'claims-admin' and a.on_behalf_of_member_id = ?""",
				member))
			.isOne();
		String outsider = SignedIn.staff(this.http, this.accounts, "other-admin", Role.VILLAGE_ADMIN,
				Fixtures.village(this.villages, "claims-other").id().value());
		this.http.post()
			.uri("/api/v1/villages/{id}/claims", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + outsider)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("householdId", this.zhang.id().value(), "itemCode", "xiao-01", "source", "SELF_REPORT",
					"description", "x", "onBehalfOfMemberId", member))
			.exchange()
			.expectStatus()
			.isForbidden();
	}

	@Test
	void evidencePhotosAreCheckedStoredAndShownOnlyInsideTheVillage() {
		saveItem("shan-09", "救助落水儿童", "善", 10, null, null);
		saveItemNeedingEvidence("shan-09");
		long claimId = submitted(this.villagerZhang, this.zhang, "shan-09", "SELF_REPORT");
		post(this.reviewer, "/api/v1/claims/{id}/approve", claimId, Map.of()).expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:evidence-required");

		byte[] png = { (byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 'I', 'H', 'D', 'R' };
		upload(this.villagerLi, claimId, png).expectStatus().isForbidden();
		upload(this.villagerZhang, claimId, "not a photo".getBytes()).expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:evidence-not-an-image");
		// Well past the limit: the server reads the rest before answering, so the client
		// still sending gets the 413 rather than a reset connection.
		upload(this.villagerZhang, claimId, new byte[Evidence.MAX_BYTES + 4 * 1024 * 1024]).expectStatus()
			.isEqualTo(413);
		long photoId = upload(this.villagerZhang, claimId, png).expectStatus()
			.isCreated()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody()
			.get("id")
			.asLong();

		byte[] served = this.http.get()
			.uri("/api/v1/claims/{id}/evidence/{photo}", claimId, photoId)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.reviewer)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentType(MediaType.IMAGE_PNG)
			.expectBody(byte[].class)
			.returnResult()
			.getResponseBody();
		assertThat(served).isEqualTo(png);
		String outsider = SignedIn.staff(this.http, this.accounts, "evidence-outsider", Role.VILLAGE_ADMIN,
				Fixtures.village(this.villages, "claims-evidence-other").id().value());
		this.http.get()
			.uri("/api/v1/claims/{id}/evidence/{photo}", claimId, photoId)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + outsider)
			.exchange()
			.expectStatus()
			.isForbidden();
		post(this.reviewer, "/api/v1/claims/{id}/approve", claimId, Map.of()).expectStatus().isOk();
	}

	private WebTestClient.ResponseSpec upload(String token, long claimId, byte[] bytes) {
		return this.http.post()
			.uri("/api/v1/claims/{id}/evidence", claimId)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.contentType(MediaType.IMAGE_PNG)
			.bodyValue(bytes)
			.exchange();
	}

	@Test
	void aCapRefusesWhatWouldPassItWithThePointsLeft() {
		submit(this.villagerZhang, this.zhang, "xiao-01", "SELF_REPORT").expectStatus().isCreated();
		submit(this.villagerLi, this.zhang, "xiao-01", "NEIGHBOUR").expectStatus().isCreated();

		submit(this.villagerZhang, this.zhang, "xiao-01", "SELF_REPORT").expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:cap-reached")
			.jsonPath("$.cap")
			.isEqualTo(10)
			.jsonPath("$.pointsLeft")
			.isEqualTo(0);
		submit(this.villagerLi, this.li, "xiao-01", "SELF_REPORT").expectStatus().isCreated();
	}

	@Test
	void aDeductionRectifiedInTimeDeductsNothing() {
		long claimId = submitted(this.reviewer, this.zhang, "mei-09", "ORGANISATION");
		post(this.reviewer, "/api/v1/claims/{id}/approve", claimId, Map.of("reason", "门前堆放杂物")).expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("RECTIFICATION")
			.jsonPath("$.rectifyBy")
			.exists();

		post(this.admin, "/api/v1/claims/{id}/rectified", claimId, null).expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("RECTIFIED");
		this.claims.closeDue(Instant.now().plus(Duration.ofDays(60))).block();
		assertThat(balance(this.zhang)).isZero();
		assertThat(services().count("select count(*) from journal_transaction")).isZero();
	}

	@Test
	void aDeductionNotRectifiedIsPublishedAndThenDeducted() {
		long claimId = submitted(this.reviewer, this.zhang, "mei-09", "ORGANISATION");
		post(this.reviewer, "/api/v1/claims/{id}/approve", claimId, Map.of()).expectStatus().isOk();

		this.claims.closeDue(Instant.now().plus(Duration.ofDays(8))).block();
		assertThat(status(claimId)).isEqualTo("IN_NOTICE");
		assertThat(balance(this.zhang)).isZero();
		post(this.admin, "/api/v1/claims/{id}/rectified", claimId, null).expectStatus().isEqualTo(409);

		this.claims.closeDue(Instant.now().plus(Duration.ofDays(16))).block();
		assertThat(status(claimId)).isEqualTo("EFFECTIVE");
		assertThat(balance(this.zhang)).isEqualTo(-5);
	}

	@Test
	void editingTheCatalogMakesANewVersionAndOldClaimsKeepTheirs() {
		long claimId = submitted(this.villagerZhang, this.zhang, "xiao-01", "SELF_REPORT");
		long firstVersion = item(claimId);
		saveItem("xiao-01", "照顾孤寡老人", "孝", 4, 10, "MONTH");

		JsonNode history = this.http.get()
			.uri("/api/v1/villages/{id}/catalog/history", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villagerLi)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		assertThat(history.valueStream().filter((item) -> item.get("code").asString().equals("xiao-01")).count())
			.isEqualTo(2);
		this.http.get()
			.uri("/api/v1/villages/{id}/catalog", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villagerLi)
			.exchange()
			.expectBody()
			.jsonPath("$[?(@.code == 'xiao-01')].version")
			.isEqualTo(2);
		assertThat(item(claimId)).isEqualTo(firstVersion);

		post(this.reviewer, "/api/v1/claims/{id}/approve", claimId, Map.of()).expectStatus().isOk();
		this.claims.closeDue(Instant.now().plus(Duration.ofDays(8))).block();
		assertThat(balance(this.zhang)).isEqualTo(5);
	}

	@Test
	void theMonthlyBatchRecordsManyHouseholdsAndTheMeetingApprovesThemAtOnce() {
		JsonNode recorded = batch(this.reviewer,
				List.of(row(this.zhang, "xiao-01"), row(this.li, "xiao-01"), row(this.zhang, "mei-09")))
			.expectStatus()
			.isCreated()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody()
			.get("claims");
		assertThat(recorded).hasSize(3);
		assertThat(recorded.get(0).get("householdId").asLong()).isEqualTo(this.zhang.id().value());
		assertThat(recorded.get(1).get("householdId").asLong()).isEqualTo(this.li.id().value());
		assertThat(recorded.get(2).get("points").asInt()).isEqualTo(-5);
		assertThat(recorded.get(2).get("source").asString()).isEqualTo("ORGANISATION");
		List<Long> ids = List.of(recorded.get(0).get("id").asLong(), recorded.get(1).get("id").asLong(),
				recorded.get(2).get("id").asLong());
		assertThat(services().count("select count(*) from audit_entry where action = 'claim.submitted'")).isEqualTo(3);

		JsonNode approved = approveAll(this.reviewer, ids).expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody()
			.get("claims");
		assertThat(approved.findValuesAsString("status")).containsExactly("IN_NOTICE", "IN_NOTICE", "RECTIFICATION");
		assertThat(services().count("select count(*) from audit_entry where action = 'claim.approved'")).isEqualTo(3);
		assertThat(services().count("select count(*) from outbox_event where type = 'claim.approved'")).isEqualTo(2);
		assertThat(services().count("select count(*) from outbox_event where type = 'rectification.notice'")).isOne();

		// The awards take effect after the notice; the unrectified deduction is published
		// in turn and takes effect after its own notice.
		this.claims.closeDue(Instant.now().plus(Duration.ofDays(8))).block();
		assertThat(balance(this.zhang)).isEqualTo(5);
		assertThat(balance(this.li)).isEqualTo(5);
		assertThat(status(ids.get(2))).isEqualTo("IN_NOTICE");
		this.claims.closeDue(Instant.now().plus(Duration.ofDays(16))).block();
		assertThat(balance(this.zhang)).isZero();
		assertThat(this.ledger.verify(this.village.id()).block().intact()).isTrue();
	}

	@Test
	void aBatchWithBadRowsWritesNothingAndNamesEveryBadRow() {
		Household elsewhere = Fixtures.registered(this.villages, Fixtures.village(this.villages, "claims-batch-other"),
				Fixtures.household("001", "王外村"));
		batch(this.reviewer,
				List.of(row(this.zhang, "xiao-01"), row(elsewhere, "xiao-01"), row(this.li, "nope-01"),
						row(this.zhang, "xiao-01"), row(this.zhang, "xiao-01"), row(this.li, "xiao-01")))
			.expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:batch-rejected")
			.jsonPath("$.rows.length()")
			.isEqualTo(3)
			.jsonPath("$.rows[0].row")
			.isEqualTo(2)
			.jsonPath("$.rows[0].type")
			.isEqualTo("household-not-found")
			.jsonPath("$.rows[1].row")
			.isEqualTo(3)
			.jsonPath("$.rows[1].type")
			.isEqualTo("catalog-item-not-active")
			// xiao-01 is capped at 10 a month: the third 5 for 张 in one batch is one too
			// many.
			.jsonPath("$.rows[2].row")
			.isEqualTo(5)
			.jsonPath("$.rows[2].type")
			.isEqualTo("cap-reached");
		assertThat(services().count("select count(*) from claim")).isZero();
		assertThat(services().count("select count(*) from audit_entry where action = 'claim.submitted'")).isZero();

		// The cap also counts what was claimed before the batch.
		submitted(this.villagerZhang, this.zhang, "xiao-01", "SELF_REPORT");
		batch(this.reviewer, List.of(row(this.zhang, "xiao-01"), row(this.zhang, "xiao-01"))).expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.rows[0].row")
			.isEqualTo(2);
		batch(this.villagerLi, List.of(row(this.li, "xiao-01"))).expectStatus().isForbidden();
		batch(this.reviewer, List.of()).expectStatus().isBadRequest();
		assertThat(services().count("select count(*) from claim")).isOne();
	}

	@Test
	void aReplayedBatchRecordsItsClaimsOnce() {
		long[] first = new long[1];
		for (int attempt = 0; attempt < 2; attempt++) {
			JsonNode claims = this.http.post()
				.uri("/api/v1/villages/{id}/claims/batch", this.village.id().value())
				.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.reviewer)
				.header("Idempotency-Key", "november-batch")
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(Map.of("rows", List.of(row(this.zhang, "xiao-01"), row(this.li, "xiao-01"))))
				.exchange()
				.expectStatus()
				.isCreated()
				.expectBody(JsonNode.class)
				.returnResult()
				.getResponseBody()
				.get("claims");
			if (attempt == 0) {
				first[0] = claims.get(0).get("id").asLong();
			}
			assertThat(claims.get(0).get("id").asLong()).isEqualTo(first[0]);
		}
		assertThat(services().count("select count(*) from claim")).isEqualTo(2);
	}

	@Test
	void theMeetingsDecisionIsAllOrNothingAndNamesEveryRefusedClaim() {
		String ownReviewer = reviewerOfZhangsHousehold("zhang-batch-reviewer");
		saveItemNeedingEvidence("shan-02");
		long own = submitted(this.villagerZhang, this.zhang, "xiao-01", "SELF_REPORT");
		long alreadyInNotice = submitted(this.villagerZhang, this.zhang, "xiao-01", "SELF_REPORT");
		post(this.reviewer, "/api/v1/claims/{id}/approve", alreadyInNotice, Map.of()).expectStatus().isOk();
		long neighbours = submitted(this.villagerZhang, this.li, "xiao-01", "NEIGHBOUR");
		long withoutPhoto = submitted(this.villagerLi, this.li, "shan-02", "SELF_REPORT");
		long elsewhere = Long.MAX_VALUE;

		// Rows are positions in the list as sent, repeats included.
		approveAll(ownReviewer, List.of(own, own, alreadyInNotice, neighbours, withoutPhoto, elsewhere)).expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:batch-rejected")
			.jsonPath("$.rows[*].row")
			.isEqualTo(List.of(1, 3, 5, 6))
			.jsonPath("$.rows[*].type")
			.isEqualTo(List.of("conflict-of-interest", "illegal-transition", "evidence-required", "claim-not-found"));
		assertThat(status(neighbours)).isEqualTo("SUBMITTED");
		assertThat(services().count("select count(*) from audit_entry where action = 'claim.approved'")).isOne();

		// A repeated id is one decision.
		approveAll(ownReviewer, List.of(neighbours, neighbours)).expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.claims.length()")
			.isEqualTo(1);
		approveAll(this.villagerLi, List.of(withoutPhoto)).expectStatus().isForbidden();
		approveAll(this.reviewer, List.of()).expectStatus().isBadRequest();
		this.http.post()
			.uri("/api/v1/villages/{id}/claims/approvals", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.reviewer)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of())
			.exchange()
			.expectStatus()
			.isBadRequest();
	}

	@Test
	void twoMeetingsApprovingTheSameClaimsAtOnceDecideThemOnce() throws Exception {
		List<Long> ids = List.of(submitted(this.villagerLi, this.zhang, "xiao-01", "NEIGHBOUR"),
				submitted(this.villagerLi, this.zhang, "xiao-01", "NEIGHBOUR"));
		var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
		// Hold the first claim's row so that both meetings are surely waiting for it at
		// once.
		try (var holder = services().jdbc()) {
			holder.setAutoCommit(false);
			holder.createStatement().execute("select id from claim where id = " + ids.getFirst() + " for update");
			var first = pool
				.submit(() -> approveAll(this.reviewer, ids).returnResult(String.class).getStatus().value());
			var second = pool
				.submit(() -> approveAll(this.reviewer, ids.reversed()).returnResult(String.class).getStatus().value());
			String waiting = "select count(*) from pg_stat_activity where wait_event_type = 'Lock' "
					+ "and query like '%order by id for update'";
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (services().count(waiting) < 2 && System.nanoTime() < deadline) {
				Thread.sleep(20);
			}
			assertThat(services().count(waiting)).isEqualTo(2);
			holder.commit();
			assertThat(List.of(first.get(), second.get())).containsExactlyInAnyOrder(200, 422);
		}
		finally {
			pool.shutdown();
		}
		assertThat(services().count("select count(*) from audit_entry where action = 'claim.approved'")).isEqualTo(2);
		assertThat(services().count("select count(*) from outbox_event where type = 'claim.approved'")).isEqualTo(2);
	}

	private Map<String, Object> row(Household household, String itemCode) {
		return Map.of("householdId", household.id().value(), "itemCode", itemCode, "description", "2026年第四季度 庭院卫生评比");
	}

	private WebTestClient.ResponseSpec batch(String token, List<Map<String, Object>> rows) {
		return this.http.post()
			.uri("/api/v1/villages/{id}/claims/batch", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("rows", rows))
			.exchange();
	}

	private WebTestClient.ResponseSpec approveAll(String token, List<Long> claimIds) {
		return this.http.post()
			.uri("/api/v1/villages/{id}/claims/approvals", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("claimIds", claimIds, "reason", "评议会审议通过"))
			.exchange();
	}

	private void saveItem(String code, String name, String category, int points, Integer capPoints, String capPeriod) {
		Map<String, Object> body = new java.util.HashMap<>(
				Map.of("name", name, "category", category, "points", points, "evidenceRequired", false));
		if (capPoints != null) {
			body.put("capPoints", capPoints);
			body.put("capPeriod", capPeriod);
		}
		this.http.put()
			.uri("/api/v1/villages/{id}/catalog/{code}", this.village.id().value(), code)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.admin)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isOk();
	}

	/** A reviewer who lives in 张's household, signed in through the mini-program. */
	private String reviewerOfZhangsHousehold(String name) {
		this.accounts
			.bindVillager("dev-openid-" + name, this.zhang.members().get(1).id(),
					List.of(Grant.inRegion(Role.REVIEWER, this.village.id().value())))
			.block();
		return SignedIn.wechat(this.http, "dev-" + name, null).get("accessToken").asString();
	}

	private void saveItemNeedingEvidence(String code) {
		this.http.put()
			.uri("/api/v1/villages/{id}/catalog/{code}", this.village.id().value(), code)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.admin)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", "救助落水儿童", "category", "善", "points", 10, "evidenceRequired", true))
			.exchange()
			.expectStatus()
			.isOk();
	}

	private WebTestClient.ResponseSpec submit(String token, Household household, String itemCode, String source) {
		return this.http.post()
			.uri("/api/v1/villages/{id}/claims", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("householdId", household.id().value(), "itemCode", itemCode, "source", source,
					"description", "2026年11月 照顾邻居王奶奶"))
			.exchange();
	}

	private long submitted(String token, Household household, String itemCode, String source) {
		return createdId(submit(token, household, itemCode, source));
	}

	private WebTestClient.ResponseSpec post(String token, String uri, long claimId, Map<String, ?> body) {
		var request = this.http.post().uri(uri, claimId).header(HttpHeaders.AUTHORIZATION, "Bearer " + token);
		return (body != null) ? request.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
				: request.exchange();
	}

	private String status(long claimId) {
		return this.http.get()
			.uri("/api/v1/claims/{id}", claimId)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.admin)
			.exchange()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody()
			.get("status")
			.asString();
	}

	private long item(long claimId) {
		return services().count("select item_id from claim where id = ?", claimId);
	}

	private long balance(Household household) {
		return this.ledger.balances(household.id(), SHANGHAI)
			.filter((balance) -> balance.kindCode().equals("household"))
			.map((balance) -> balance.score())
			.blockFirst(Duration.ofSeconds(5)) instanceof Long score ? score : 0;
	}

}
