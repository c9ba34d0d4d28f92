package org.jifen.api.claims;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Role;
import org.jifen.api.support.Fixtures;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.SignedIn;
import org.jifen.api.support.StatementLog;
import org.jifen.api.village.Household;
import org.jifen.api.village.Region;
import org.jifen.api.village.Villages;
import org.jifen.api.web.PageRequest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a claim costs the database on its way through the API: once a village's catalog,
 * settings and a household's place have been read, recording and approving more claims
 * reads none of them again, and an approval reads its claim once.
 */
class ClaimRoundTripsIT extends IntegrationTest {

	private static final Pattern RARELY_CHANGING = Pattern
		.compile("from region where id|from catalog_item|from village_settings|with recursive up|from point_kind");

	private static final String CLAIM_BY_ID = "from claim where id = $1";

	@Autowired
	private Villages villages;

	@Autowired
	private Accounts accounts;

	@Test
	void recordingAndApprovingReadRarelyChangingDataOnce() {
		services().wipe();
		Region village = Fixtures.village(this.villages, "trips");
		this.villages.registerHouseholds(village.id(), List.of(Fixtures.household("001", "张小明"))).block();
		Household zhang = this.villages
			.household(this.villages.households(village.id(), PageRequest.of(null, 1)).block().items().get(0).id())
			.block();
		String reviewer = SignedIn.staff(this.http, this.accounts, "trips-reviewer", Role.VILLAGE_ADMIN,
				village.id().value());
		this.http.put()
			.uri("/api/v1/villages/{id}/catalog/{code}", village.id().value(), "qin-01")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + reviewer)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("name", "义务劳动", "category", "勤", "points", 5, "evidenceRequired", false))
			.exchange()
			.expectStatus()
			.isOk();
		try (StatementLog log = StatementLog.open()) {
			recordAndApprove(village, zhang, reviewer, log);
		}
	}

	private void recordAndApprove(Region village, Household zhang, String reviewer, StatementLog log) {
		for (int round = 0; round < 3; round++) {
			boolean warm = round > 0;
			log.take();
			JsonNode claim = this.http.post()
				.uri("/api/v1/villages/{id}/claims", village.id().value())
				.header(HttpHeaders.AUTHORIZATION, "Bearer " + reviewer)
				.header("Idempotency-Key", "k-submit-" + round)
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(Map.of("householdId", zhang.id().value(), "itemCode", "qin-01", "source", "ORGANISATION",
						"description", "义务劳动"))
				.exchange()
				.expectStatus()
				.isCreated()
				.expectBody(JsonNode.class)
				.returnResult()
				.getResponseBody();
			List<String> submitted = log.take();
			if (warm) {
				assertThat(submitted).noneMatch((sql) -> RARELY_CHANGING.matcher(sql).find());
			}
			this.http.post()
				.uri("/api/v1/claims/{id}/approve", claim.get("id").asLong())
				.header(HttpHeaders.AUTHORIZATION, "Bearer " + reviewer)
				.header("Idempotency-Key", "k-approve-" + round)
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(Map.of("reason", "属实"))
				.exchange()
				.expectStatus()
				.isOk();
			List<String> approved = log.take();
			assertThat(approved).filteredOn((sql) -> sql.contains(CLAIM_BY_ID)).hasSize(1);
			if (warm) {
				assertThat(approved).noneMatch((sql) -> RARELY_CHANGING.matcher(sql).find());
			}
		}
	}

}
