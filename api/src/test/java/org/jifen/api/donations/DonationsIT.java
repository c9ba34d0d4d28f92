package org.jifen.api.donations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;

import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Caller;
import org.jifen.api.identity.Grant;
import org.jifen.api.identity.Role;
import org.jifen.api.ledger.AccountRef;
import org.jifen.api.ledger.Ledger;
import org.jifen.api.ledger.PointKind;
import org.jifen.api.ledger.Posting;
import org.jifen.api.ledger.SystemRole;
import org.jifen.api.shared.Actor;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.support.Fixtures;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.SignedIn;
import org.jifen.api.village.Household;
import org.jifen.api.village.MemberId;
import org.jifen.api.village.Region;
import org.jifen.api.village.RegionId;
import org.jifen.api.village.Villages;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** 爱心捐赠 through the API, against the real ledger. */
class DonationsIT extends IntegrationTest {

	@Autowired
	private Villages villages;

	@Autowired
	private Accounts accounts;

	@Autowired
	private Ledger ledger;

	@Autowired
	private PointKinds kinds;

	@Autowired
	private Donations donations;

	private Region village;

	private Household donor;

	private Household widow;

	private String donorToken;

	private String widowToken;

	private String admin;

	@BeforeEach
	void aDonorWith500PointsAndANeighbour() {
		services().wipe();
		this.village = Fixtures.village(this.villages, "donate");
		this.donor = Fixtures.registered(this.villages, this.village, Fixtures.household("001", "张三"));
		this.widow = Fixtures.registered(this.villages, this.village, Fixtures.household("002", "李秀英"));
		this.donorToken = SignedIn.villager(this.http, this.accounts, "donor", this.donor.members().get(0).id());
		this.widowToken = SignedIn.villager(this.http, this.accounts, "widow", this.widow.members().get(0).id());
		this.admin = SignedIn.staff(this.http, this.accounts, "donate-admin", Role.VILLAGE_ADMIN,
				this.village.id().value());
		Fixtures.award(this.ledger, this.kinds, this.village, this.donor, 500, "参加义务劳动");
		policy(Map.of("dailyCap", 5000, "monthlyCap", 50000, "minimum", 1, "assistanceListOnly", false));
	}

	@Test
	void hundredConcurrentGiftsOfTenFrom500LeaveExactlyFiftyAndNothingNegative() {
		List<Integer> statuses = Flux.range(0, 100)
			.flatMap((i) -> Mono
				.fromCallable(() -> give(this.donorToken, this.widow, 10, UUID.randomUUID().toString()).returnResult()
					.getStatus()
					.value())
				.subscribeOn(Schedulers.boundedElastic()), 100)
			.collectList()
			.block(Duration.ofSeconds(60));
		assertThat(statuses).filteredOn((status) -> status == 201).hasSize(50);
		assertThat(statuses).filteredOn((status) -> status == 422).hasSize(50);
		assertThat(available(this.donorToken, this.donor)).isZero();
		assertThat(available(this.widowToken, this.widow)).isEqualTo(500);
		assertThat(services().count("select count(*) from donation")).isEqualTo(50);
		assertThat(services().count("select min(available) from account where owner_type = 'HOUSEHOLD'")).isZero();
		this.http.get()
			.uri("/api/v1/villages/{id}/ledger/verification", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.admin)
			.exchange()
			.expectBody()
			.jsonPath("$.intact")
			.isEqualTo(true);
	}

	@Test
	void aReplayWithTheSameKeyMovesNothing() {
		String key = UUID.randomUUID().toString();
		JsonNode first = give(this.donorToken, this.widow, 30, key).expectStatus()
			.isCreated()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		JsonNode again = give(this.donorToken, this.widow, 30, key).expectStatus()
			.isCreated()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		assertThat(again.get("id")).isEqualTo(first.get("id"));
		assertThat(available(this.donorToken, this.donor)).isEqualTo(470);
		assertThat(services().count("select count(*) from donation")).isEqualTo(1);
	}

	@Test
	void bothSidesSeeItAndHearOfItAndAnAnonymousDonorStaysHiddenExceptFromAdmins() {
		give(this.donorToken, this.widow, 20, UUID.randomUUID().toString(), true, "早日康复").expectStatus().isCreated();
		this.http.get()
			.uri("/api/v1/households/{id}/donations/received", this.widow.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.widowToken)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.items[0].points")
			.isEqualTo(20)
			.jsonPath("$.items[0].message")
			.isEqualTo("早日康复")
			.jsonPath("$.items[0].otherName")
			.isEqualTo("匿名")
			.jsonPath("$.items[0].otherHouseholdId")
			.doesNotExist();
		// Nor can a neighbour find the donor by reading other households' gifts.
		this.http.get()
			.uri("/api/v1/households/{id}/donations/given", this.donor.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.widowToken)
			.exchange()
			.expectStatus()
			.isForbidden();
		this.http.get()
			.uri("/api/v1/households/{id}/donations/received", this.widow.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.admin)
			.exchange()
			.expectBody()
			.jsonPath("$.items[0].otherName")
			.isEqualTo("张三");
		this.http.get()
			.uri("/api/v1/households/{id}/history", this.donor.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.donorToken)
			.exchange()
			.expectBody()
			.jsonPath("$.items[0].amount")
			.isEqualTo(-20)
			.jsonPath("$.items[0].scoreDelta")
			.isEqualTo(0)
			.jsonPath("$.items[0].memo")
			.isEqualTo("爱心捐赠：早日康复");
		await().atMost(Duration.ofSeconds(5))
			.until(() -> services().count("select count(*) from notification where type like 'donation.%'") == 2);
		assertThat(services().count("""
				select count(*) from notification n join app_user u on u.id = n.user_id
				where n.type = 'donation.received' and n.arguments ->> 0 = '爱心人士'""")).isEqualTo(1);
	}

	@Test
	void everyRefusalSaysWhyWithItsFigures() {
		give(this.donorToken, this.donor, 10, UUID.randomUUID().toString()).expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:same-household");
		give(this.donorToken, this.widow, 501, UUID.randomUUID().toString()).expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:insufficient-points")
			.jsonPath("$.available")
			.isEqualTo(500);

		policy(Map.of("dailyCap", 100, "monthlyCap", 300, "minimum", 5, "assistanceListOnly", true));
		give(this.donorToken, this.widow, 4, UUID.randomUUID().toString()).expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:donation-below-minimum")
			.jsonPath("$.minimum")
			.isEqualTo(5);
		give(this.donorToken, this.widow, 10, UUID.randomUUID().toString()).expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:recipient-not-eligible");
		this.http.put()
			.uri("/api/v1/households/{id}/assistance", this.widow.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.admin)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("reason", "丈夫病故，独自抚养两个孩子"))
			.exchange()
			.expectStatus()
			.isNoContent();
		give(this.donorToken, this.widow, 70, UUID.randomUUID().toString()).expectStatus().isCreated();
		give(this.donorToken, this.widow, 40, UUID.randomUUID().toString()).expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:donation-cap-reached")
			.jsonPath("$.leftToday")
			.isEqualTo(30)
			.jsonPath("$.leftThisMonth")
			.isEqualTo(230);
		assertThat(available(this.donorToken, this.donor)).isEqualTo(430);
	}

	@Test
	void aMemberOwnedKindIsGivenFromMemberToMember() {
		RegionId county = this.villages.ancestry(this.village.id()).block().getLast();
		long countyAdmin = this.accounts
			.createStaff("donate-county", "县管理员", SignedIn.PASSWORD,
					List.of(Grant.inRegion(Role.COUNTY_ADMIN, county.value())))
			.block();
		PointKind love = this.kinds
			.configure(county,
					new PointKind(0, county.value(), "love", "爱心存折", PointKind.Owner.MEMBER, PointKind.Reset.NEVER,
							true, true, false, false),
					new Actor(countyAdmin, null))
			.block();
		MemberId giver = this.donor.members().get(0).id();
		MemberId receiver = this.widow.members().get(0).id();
		this.ledger.post(new Posting(this.village.id(), love.id(), "AWARD", "志愿服务", null,
				List.of(new Posting.Leg(new AccountRef.Member(giver), 50, 50),
						new Posting.Leg(AccountRef.system(SystemRole.ISSUANCE), -50, 0))))
			.block();

		this.http.post()
			.uri("/api/v1/villages/{id}/donations", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.donorToken)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("recipientMemberId", receiver.value(), "points", 20, "kind", "love"))
			.exchange()
			.expectStatus()
			.isCreated()
			.expectBody()
			.jsonPath("$.recipientMemberId")
			.isEqualTo(receiver.value());
		assertThat(services().count("select available from account where member_id = ? and kind_id = ?", giver.value(),
				love.id()))
			.isEqualTo(30);
		assertThat(services().count("select score from account where member_id = ? and kind_id = ?", giver.value(),
				love.id()))
			.as("score stays where it was earned")
			.isEqualTo(50);
		assertThat(services().count("select available from account where member_id = ? and kind_id = ?",
				receiver.value(), love.id()))
			.isEqualTo(20);

		this.http.post()
			.uri("/api/v1/villages/{id}/donations", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.donorToken)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(
					Map.of("recipientMemberId", this.donor.members().get(1).id().value(), "points", 5, "kind", "love"))
			.exchange()
			.expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:same-household");
		this.http.post()
			.uri("/api/v1/villages/{id}/donations", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.donorToken)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("recipientHouseholdId", this.widow.id().value(), "points", 5, "kind", "love"))
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:recipient-member-required");
	}

	@Test
	void theCollusionReportFindsAPlantedRingAndAPair() {
		Household third = Fixtures.registered(this.villages, this.village, Fixtures.household("003", "王五"));
		Household fourth = Fixtures.registered(this.villages, this.village, Fixtures.household("004", "赵六"));
		for (Household household : List.of(this.widow, third, fourth)) {
			Fixtures.award(this.ledger, this.kinds, this.village, household, 100, "参加义务劳动");
		}
		Caller a = villager(this.donor, "ring-a");
		Caller b = villager(this.widow, "ring-b");
		Caller c = villager(third, "ring-c");
		Caller d = villager(fourth, "ring-d");
		// A ring: 001 → 002 → 003 → 001; and a pair: 001 ↔ 004.
		gift(a, this.widow, 30);
		gift(b, third, 30);
		gift(c, this.donor, 30);
		gift(a, fourth, 20);
		gift(d, this.donor, 20);
		gift(d, this.donor, 5);
		String supervisor = SignedIn.staff(this.http, this.accounts, "donate-supervisor", Role.SUPERVISOR,
				this.village.id().value());
		JsonNode signals = this.http.get()
			.uri("/api/v1/villages/{id}/donation-signals", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + supervisor)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		List<String> found = new ArrayList<>();
		signals.forEach((signal) -> found
			.add(signal.get("pattern").asString() + " " + signal.get("households") + " " + signal.get("points")));
		long first = this.donor.id().value();
		assertThat(found).containsExactly("PAIR [" + first + "," + fourth.id().value() + "] [20,25]",
				"RING [" + first + "," + this.widow.id().value() + "," + third.id().value() + "] [30,30,30]");
		this.http.get()
			.uri("/api/v1/villages/{id}/donation-signals", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.donorToken)
			.exchange()
			.expectStatus()
			.isForbidden();
	}

	private Caller villager(Household household, String name) {
		long user = this.accounts.bindVillager("dev-openid-" + name, household.members().get(1).id(), List.of())
			.block();
		return new Caller(user, household.members().get(1).id().value(), name,
				List.of(Grant.inRegion(Role.VILLAGER, this.village.id().value())));
	}

	private void gift(Caller from, Household to, long points) {
		this.donations
			.donate(from, this.village.id(),
					new Donations.NewDonation(to.id().value(), null, points, null, false, null), null)
			.block();
	}

	private WebTestClient.ResponseSpec give(String token, Household to, long points, String key) {
		return give(token, to, points, key, false, null);
	}

	private WebTestClient.ResponseSpec give(String token, Household to, long points, String key, boolean anonymous,
			String message) {
		Map<String, Object> body = new java.util.HashMap<>(
				Map.of("recipientHouseholdId", to.id().value(), "points", points, "anonymous", anonymous));
		if (message != null) {
			body.put("message", message);
		}
		return this.http.post()
			.uri("/api/v1/villages/{id}/donations", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.header("Idempotency-Key", key)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange();
	}

	private long available(String token, Household household) {
		JsonNode balances = this.http.get()
			.uri("/api/v1/households/{id}/balances", household.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.exchange()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		return balances.get(0).get("available").asLong();
	}

	private void policy(Map<String, Object> policy) {
		this.http.put()
			.uri("/api/v1/villages/{id}/donation-policy", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.admin)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(policy)
			.exchange()
			.expectStatus()
			.isOk();
	}

}
