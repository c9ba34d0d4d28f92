package org.jifen.api.demo;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.SignedIn;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The demo county loads on start, health turns UP once it is readable, and a second start
 * loads nothing again.
 */
@TestPropertySource(properties = "jifen.demo.enabled=true")
class DemoVillageIT extends IntegrationTest {

	@Autowired
	private DemoVillageLoader loader;

	@Test
	void theDemoCountyIsReadableOnceHealthIsUp() {
		await().atMost(Duration.ofSeconds(60))
			.untilAsserted(() -> this.http.get()
				.uri("/actuator/health/readiness")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.components.demo.status")
				.isEqualTo("UP"));

		String token = SignedIn.login(this.http, "county-admin", DemoVillageLoader.DEMO_PASSWORD)
			.get("accessToken")
			.asString();
		JsonNode county = this.http.get()
			.uri("/api/v1/regions")
			.header("Authorization", "Bearer " + token)
			.exchange()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody()
			.get(0);
		assertThat(county.get("name").asString()).isEqualTo("淄川区");
		assertThat(householdsIn("寨里村")).isEqualTo(DemoVillageLoader.HOUSEHOLDS_PER_VILLAGE);
		assertThat(householdsIn("东坪村")).isEqualTo(DemoVillageLoader.HOUSEHOLDS_PER_VILLAGE);

		long zhaili = services().count("select id from region where name = '寨里村'");
		assertThat(services().count("select count(*) from catalog_item where village_id = ? and current", zhaili))
			.isEqualTo(27);
		assertThat(services().count("select count(*) from claim where village_id = ? and status = 'EFFECTIVE'", zhaili))
			.isGreaterThan(30);
		assertThat(services().count("select count(*) from claim where village_id = ? and status = 'IN_NOTICE'", zhaili))
			.isGreaterThanOrEqualTo(5);
		assertThat(services().count("select count(*) from claim where village_id = ? and status = 'SUBMITTED'", zhaili))
			.isGreaterThanOrEqualTo(5);
		assertThat(services().count("select count(*) from claim where village_id = ? and status = 'RECTIFICATION'",
				zhaili))
			.isGreaterThanOrEqualTo(1);
		// Months of history, so balances have months, quarters and a year to show.
		assertThat(services().count(
				"select count(distinct date_trunc('month', occurred_at)) from journal_transaction where village_id = ?",
				zhaili))
			.isGreaterThanOrEqualTo(DemoVillageLoader.HISTORY_MONTHS);
		this.http.get()
			.uri("/api/v1/villages/{id}/ledger/verification", zhaili)
			.header("Authorization", "Bearer " + token)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.intact")
			.isEqualTo(true);

		// The demo villager hears of the months of points (once the relay catches up).
		String villager = SignedIn.wechat(this.http, "dev-villager", null).get("accessToken").asString();
		await().atMost(Duration.ofSeconds(120))
			.until(() -> this.http.get()
				.uri("/api/v1/me/notifications/unread-count")
				.header("Authorization", "Bearer " + villager)
				.exchange()
				.expectBody(JsonNode.class)
				.returnResult()
				.getResponseBody()
				.get("unread")
				.asLong() > 0);

		this.loader.load().block(Duration.ofSeconds(30));
		assertThat(householdsIn("寨里村")).isEqualTo(DemoVillageLoader.HOUSEHOLDS_PER_VILLAGE);
	}

	private long householdsIn(String village) {
		return services()
			.count("select count(*) from household h join region r on r.id = h.village_id where r.name = ?", village);
	}

}
