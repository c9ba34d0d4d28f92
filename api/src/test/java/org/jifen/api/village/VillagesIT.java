package org.jifen.api.village;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import org.jifen.api.shared.DomainException;
import org.jifen.api.support.Fixtures;
import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Role;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.SignedIn;
import org.jifen.api.web.PageRequest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Regions, households and members, read and written through the API against real
 * PostgreSQL.
 */
class VillagesIT extends IntegrationTest {

	@Autowired
	private Villages villages;

	@Autowired
	private Accounts accounts;

	private Region village;

	private String adminToken;

	private String villagerToken;

	@BeforeEach
	void aVillageOf23Households() {
		services().wipe();
		this.village = Fixtures.village(this.villages, "v1");
		this.villages.registerHouseholds(this.village.id(),
				IntStream.rangeClosed(1, 23).mapToObj((i) -> Fixtures.household("%03d".formatted(i), "王建国")).toList())
			.block();
		this.adminToken = SignedIn.staff(this.http, this.accounts, "v1-admin", Role.VILLAGE_ADMIN,
				this.village.id().value());
		HouseholdId first = this.villages.households(this.village.id(), PageRequest.of(null, 1))
			.block()
			.items()
			.get(0)
			.id();
		MemberId member = this.villages.household(first).block().members().get(0).id();
		this.villagerToken = SignedIn.villager(this.http, this.accounts, "v1-villager", member);
		this.http = this.http.mutate().defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + this.adminToken).build();
	}

	@Test
	void pagingThroughAVillageShowsEveryHouseholdOnceInOrder() {
		List<String> numbers = new ArrayList<>();
		String cursor = null;
		int pages = 0;
		do {
			JsonNode page = page(cursor, 7);
			page.get("items").forEach((item) -> numbers.add(item.get("number").asString()));
			cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
			pages++;
		}
		while (cursor != null);

		assertThat(pages).isEqualTo(4);
		assertThat(numbers).hasSize(23).doesNotHaveDuplicates().isSorted().startsWith("001").endsWith("023");
	}

	@Test
	void aVillagerSeesMaskedNamesAndMemberCounts() {
		this.http.get()
			.uri("/api/v1/villages/{id}/households?limit=1", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villagerToken)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.items[0].headName")
			.isEqualTo("王*国")
			.jsonPath("$.items[0].memberCount")
			.isEqualTo(2);
	}

	@Test
	void aForgedCursorIsA400Problem() {
		this.http.get()
			.uri("/api/v1/villages/{id}/households?cursor=not-ours", this.village.id().value())
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:invalid-cursor");
	}

	@Test
	void aLimitAbove100IsA400Problem() {
		this.http.get()
			.uri("/api/v1/villages/{id}/households?limit=101", this.village.id().value())
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:invalid-limit");
	}

	@Test
	void aNonNumericLimitIsA400Problem() {
		this.http.get()
			.uri("/api/v1/villages/{id}/households?limit=lots", this.village.id().value())
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:invalid-parameter");
	}

	@Test
	void aTownIsNotAVillage() {
		this.http.get()
			.uri("/api/v1/villages/{id}/households", this.village.parentId().value())
			.header(HttpHeaders.AUTHORIZATION,
					"Bearer " + SignedIn.staff(this.http, this.accounts, "v1-town-admin", Role.TOWN_ADMIN,
							this.village.parentId().value()))
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:village-not-found");
	}

	@Test
	void theRegionTreeReadsFromTheTop() {
		this.http.get()
			.uri("/api/v1/regions")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$[0].level")
			.isEqualTo("COUNTY")
			.jsonPath("$[0].name")
			.isEqualTo("淄川区");
		this.http.get()
			.uri("/api/v1/regions?parentId={id}", this.village.parentId().value())
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$[0].id")
			.isEqualTo(this.village.id().value())
			.jsonPath("$[0].timeZone")
			.isEqualTo("Asia/Shanghai");
	}

	@Test
	void householdsOfVillagesRegisteredInTurnKeepTheirOwnPlace() {
		Region other = Fixtures.village(this.villages, "v2");
		List<HouseholdId> ours = new ArrayList<>();
		List<HouseholdId> theirs = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			ours.add(Fixtures.registered(this.villages, this.village, Fixtures.household("5%02d".formatted(i), "王建国"))
				.id());
			theirs.add(Fixtures.registered(this.villages, other, Fixtures.household("6%02d".formatted(i), "李明")).id());
		}
		// One read answers for the village's households near it: none of the other's.
		assertThat(this.villages.place(theirs.get(1)).block().village()).isEqualTo(other.id());
		for (HouseholdId household : ours) {
			HouseholdPlace place = this.villages.place(household).block();
			assertThat(place.household()).isEqualTo(household);
			assertThat(place.village()).isEqualTo(this.village.id());
			assertThat(place.ancestry()).first().isEqualTo(this.village.id());
		}
		for (HouseholdId household : theirs) {
			assertThat(this.villages.place(household).block().village()).isEqualTo(other.id());
		}

		villagersBalanceRead(theirs.get(2)).expectStatus().isForbidden();
		villagersBalanceRead(ours.get(2)).expectStatus().isOk();
	}

	/** The signed-in villager reads a household's balances. */
	private WebTestClient.ResponseSpec villagersBalanceRead(HouseholdId household) {
		return this.http.get()
			.uri("/api/v1/households/{id}/balances", household.value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villagerToken)
			.exchange();
	}

	@Test
	void registeringAHouseholdKeepsItsMembers() {
		String location = this.http.post()
			.uri("/api/v1/villages/{id}/households", this.village.id().value())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("""
					{"number": "100", "headName": "赵德福", "address": "一组100号",
					 "members": [{"name": "赵德福", "relation": "户主", "birthYear": 1958},
					             {"name": "孙桂兰", "relation": "配偶", "birthYear": 1960,
					              "phone": "13912345678", "idNumber": "370302196001010024"}]}""")
			.exchange()
			.expectStatus()
			.isCreated()
			.returnResult(String.class)
			.getResponseHeaders()
			.getLocation()
			.toString();

		this.http.get()
			.uri(location)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.number")
			.isEqualTo("100")
			.jsonPath("$.members.length()")
			.isEqualTo(2)
			.jsonPath("$.members[1].relation")
			.isEqualTo("配偶")
			.jsonPath("$.members[1].name")
			.isEqualTo("孙桂兰")
			.jsonPath("$.members[1].phone")
			.isEqualTo("139****5678")
			.jsonPath("$.members[1].idNumber")
			.isEqualTo("370302********0024");

		this.http.get()
			.uri(location)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villagerToken)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.members[1].name")
			.isEqualTo("孙*兰")
			.jsonPath("$.members[1].phone")
			.isEqualTo("139****5678");

		this.http.get()
			.uri("/api/v1/villages/{id}/members?phone=13912345678", this.village.id().value())
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.length()")
			.isEqualTo(1)
			.jsonPath("$[0].name")
			.isEqualTo("孙桂兰");
		assertThat(services().count("select count(*) from member where phone_cipher is not null "
				+ "and position(convert_to('13912345678', 'UTF8') in phone_cipher) = 0"))
			.isOne();
	}

	@Test
	void aTakenHouseholdNumberIsA409AndWritesNothing() {
		this.http.post()
			.uri("/api/v1/villages/{id}/households", this.village.id().value())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(
					"{\"number\": \"001\", \"headName\": \"钱多多\", \"members\": [{\"name\": \"钱多多\", \"relation\": \"户主\"}]}")
			.exchange()
			.expectStatus()
			.isEqualTo(409)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:household-number-taken")
			.jsonPath("$.detail")
			.isEqualTo("户号 001 在本村已被使用。");
		assertThat(memberNamed("钱多多")).isZero();
	}

	@Test
	void aBulkRegistrationWithOneBadHouseholdWritesNone() {
		var batch = List.of(Fixtures.household("200", "周一"), Fixtures.household("201", "周二"),
				Fixtures.household("001", "周三"));
		StepVerifier.create(this.villages.registerHouseholds(this.village.id(), batch))
			.expectErrorSatisfies((error) -> assertThat(error).isInstanceOf(DomainException.class)
				.hasFieldOrPropertyWithValue("type", "household-number-taken"))
			.verify();
		Set<String> numbers = new HashSet<>();
		String cursor = null;
		do {
			JsonNode page = page(cursor, 100);
			page.get("items").forEach((item) -> numbers.add(item.get("number").asString()));
			cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
		}
		while (cursor != null);
		assertThat(numbers).hasSize(23).doesNotContain("200", "201");
	}

	@Test
	void anUnknownHouseholdIsA404Problem() {
		this.http.get()
			.uri("/api/v1/households/999999")
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:household-not-found")
			.jsonPath("$.householdId")
			.isEqualTo(999999);
	}

	private JsonNode page(String cursor, int limit) {
		WebTestClient.ResponseSpec response = this.http.get()
			.uri((uri) -> uri.path("/api/v1/villages/{id}/households")
				.queryParam("limit", limit)
				.queryParamIfPresent("cursor", java.util.Optional.ofNullable(cursor))
				.build(this.village.id().value()))
			.exchange()
			.expectStatus()
			.isOk();
		return response.expectBody(JsonNode.class).returnResult().getResponseBody();
	}

	private long memberNamed(String name) {
		return services().count("select count(*) from member where name = ?", name);
	}

}
