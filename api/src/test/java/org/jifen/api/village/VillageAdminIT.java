package org.jifen.api.village;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Role;
import org.jifen.api.support.Fixtures;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.SignedIn;
import org.jifen.api.web.PageRequest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Admins keep the register true: regions below theirs, households and members, every
 * change in the audit trail with before and after, personal data re-sealed.
 */
class VillageAdminIT extends IntegrationTest {

	@Autowired
	private Villages villages;

	@Autowired
	private Accounts accounts;

	private Region village;

	private Household household;

	private String villageAdmin;

	private String townAdmin;

	@BeforeEach
	void aVillageWithAHousehold() {
		services().wipe();
		this.village = Fixtures.village(this.villages, "admin");
		this.villages.registerHouseholds(this.village.id(), List.of(Fixtures.household("001", "张小明"))).block();
		this.household = this.villages
			.household(this.villages.households(this.village.id(), PageRequest.of(null, 1)).block().items().get(0).id())
			.block();
		this.villageAdmin = SignedIn.staff(this.http, this.accounts, "village-admin", Role.VILLAGE_ADMIN,
				this.village.id().value());
		this.townAdmin = SignedIn.staff(this.http, this.accounts, "town-admin", Role.TOWN_ADMIN,
				this.village.parentId().value());
	}

	@Test
	void regionsAreAddedBelowTheAdminsOwn() {
		call(HttpMethod.POST, "/api/v1/regions", this.villageAdmin,
				Map.of("parentId", this.village.id().value(), "level", "GROUP", "code", "admin-g1", "name", "第一村民小组"))
			.expectStatus()
			.isCreated()
			.expectBody()
			.jsonPath("$.level")
			.isEqualTo("GROUP");
		call(HttpMethod.POST, "/api/v1/regions", this.villageAdmin, Map.of("parentId", this.village.parentId().value(),
				"level", "VILLAGE", "code", "admin-v2", "name", "东坪村"))
			.expectStatus()
			.isForbidden();
		call(HttpMethod.POST, "/api/v1/regions", this.townAdmin, Map.of("parentId", this.village.parentId().value(),
				"level", "VILLAGE", "code", "admin-v2", "name", "东坪村"))
			.expectStatus()
			.isCreated();
		call(HttpMethod.POST, "/api/v1/regions", this.townAdmin,
				Map.of("parentId", this.village.parentId().value(), "level", "GROUP", "code", "admin-g9", "name", "错层"))
			.expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:region-misplaced");
	}

	@Test
	void renamingARegionIsAudited() {
		call(HttpMethod.PATCH, "/api/v1/regions/" + this.village.id().value(), this.villageAdmin,
				Map.of("name", "寨里社区"))
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.name")
			.isEqualTo("寨里社区");
		call(HttpMethod.PATCH, "/api/v1/regions/" + this.village.id().value(), this.villageAdmin,
				Map.of("timeZone", "Mars/Olympus"))
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:invalid-time-zone");
		assertThat(services().count("select count(*) from audit_entry where action = 'region.edited' "
				+ "and before->>'name' = '寨里村' and after->>'name' = '寨里社区'"))
			.isOne();
	}

	@Test
	void householdsAndMembersAreEditedAndPersonalDataResealed() {
		Region otherVillage = Fixtures.village(this.villages, "admin-other");
		Region foreignGroup = this.villages
			.createRegion(otherVillage.id(), RegionLevel.GROUP, "admin-foreign-g", "外村小组")
			.block();
		call(HttpMethod.PATCH, "/api/v1/households/" + this.household.id().value(), this.villageAdmin,
				Map.of("groupId", foreignGroup.id().value()))
			.expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:group-not-in-village");
		call(HttpMethod.PATCH, "/api/v1/households/" + this.household.id().value(), this.villageAdmin,
				Map.of("headName", "张大明", "address", "二组8号"))
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.headName")
			.isEqualTo("张大明");

		call(HttpMethod.POST, "/api/v1/households/" + this.household.id().value() + "/members", this.villageAdmin,
				Map.of("name", "张小雨", "relation", "子女", "birthYear", 2001, "phone", "13700001111"))
			.expectStatus()
			.isCreated()
			.expectBody()
			.jsonPath("$.members.length()")
			.isEqualTo(3)
			.jsonPath("$.members[2].phone")
			.isEqualTo("137****1111");
		long memberId = services().count("select id from member where name = '张小雨'");
		call(HttpMethod.PATCH, "/api/v1/members/" + memberId, this.villageAdmin, Map.of("phone", "13900002222"))
			.expectStatus()
			.isOk();

		assertThat(membersWithPhone("13900002222")).isOne();
		assertThat(membersWithPhone("13700001111")).isZero();
		assertThat(services().count("select count(*) from audit_entry where action in "
				+ "('household.edited', 'member.added', 'member.edited')"))
			.isEqualTo(3);
		assertThat(services().count("select count(*) from audit_entry where after::text like '%13900002222%'"))
			.as("the audit trail never holds personal data")
			.isZero();
	}

	private long membersWithPhone(String phone) {
		return this.http.get()
			.uri("/api/v1/villages/{id}/members?phone={phone}", this.village.id().value(), phone)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villageAdmin)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBodyList(Object.class)
			.returnResult()
			.getResponseBody()
			.size();
	}

	private WebTestClient.ResponseSpec call(HttpMethod method, String uri, String token, Map<String, ?> body) {
		return this.http.method(method)
			.uri(uri)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange();
	}

}
