package org.jifen.api.catalog;

import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Role;
import org.jifen.api.support.Fixtures;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.SignedIn;
import org.jifen.api.village.Region;
import org.jifen.api.village.Villages;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A town publishes a template; its villages adopt what they lack and adapt it as their
 * own.
 */
class CatalogTemplateIT extends IntegrationTest {

	@Autowired
	private Villages villages;

	@Autowired
	private Accounts accounts;

	private Region village;

	private String townAdmin;

	private String villageAdmin;

	@BeforeEach
	void aTownAndItsVillage() {
		services().wipe();
		this.village = Fixtures.village(this.villages, "template");
		this.townAdmin = SignedIn.staff(this.http, this.accounts, "tpl-town", Role.TOWN_ADMIN,
				this.village.parentId().value());
		this.villageAdmin = SignedIn.staff(this.http, this.accounts, "tpl-village", Role.VILLAGE_ADMIN,
				this.village.id().value());
	}

	@Test
	void villagesAdoptTheTownsTemplateAndAdaptIt() {
		long town = this.village.parentId().value();
		put("/api/v1/towns/{id}/catalog/{code}", town, "shan-01", this.townAdmin, item("志愿服务", "善", 4)).expectStatus()
			.isOk();
		put("/api/v1/towns/{id}/catalog/{code}", town, "mei-05", this.townAdmin, item("庭院整洁", "美", 4)).expectStatus()
			.isOk();
		put("/api/v1/villages/{id}/catalog/{code}", this.village.id().value(), "mei-05", this.villageAdmin,
				item("庭院整洁（本村标准）", "美", 3))
			.expectStatus()
			.isOk();
		put("/api/v1/towns/{id}/catalog/{code}", town, "xin-01", this.villageAdmin, item("诚信", "信", 4)).expectStatus()
			.isForbidden();

		this.http.post()
			.uri("/api/v1/villages/{id}/catalog/adopt-template", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.villageAdmin)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.length()")
			.isEqualTo(1)
			.jsonPath("$[0].code")
			.isEqualTo("shan-01");

		assertThat(currentPoints(this.village.id().value(), "mei-05")).as("the village's own version stays")
			.isEqualTo(3);
		put("/api/v1/villages/{id}/catalog/{code}", this.village.id().value(), "shan-01", this.villageAdmin,
				item("志愿服务", "善", 5))
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.version")
			.isEqualTo(2);
		assertThat(currentPoints(town, "shan-01")).as("adapting never changes the town's template").isEqualTo(4);
	}

	private long currentPoints(long regionId, String code) {
		return services().count("select points from catalog_item where village_id = ? and code = ? and current",
				regionId, code);
	}

	private static Map<String, Object> item(String name, String category, int points) {
		return Map.of("name", name, "category", category, "points", points, "evidenceRequired", false);
	}

	private WebTestClient.ResponseSpec put(String uri, long regionId, String code, String token, Map<String, ?> body) {
		return this.http.put()
			.uri(uri, regionId, code)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange();
	}

}
