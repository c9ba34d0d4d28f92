package org.jifen.api.boards;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Caller;
import org.jifen.api.identity.Role;
import org.jifen.api.ledger.Ledger;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.support.Fixtures;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.MovableClock;
import org.jifen.api.support.SignedIn;
import org.jifen.api.village.Household;
import org.jifen.api.village.Region;
import org.jifen.api.village.Villages;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

/** Stars frozen when a village's star period ends survive the new period's live board. */
class StarHistoryIT extends IntegrationTest {

	private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

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
	private StarHistory history;

	@Test
	void frozenStarsSurviveThePeriodChange() {
		services().wipe();
		at(2027, 1, 15, 12, 0);
		Region village = Fixtures.village(this.villages, "stars");
		Household zhang = Fixtures.registered(this.villages, village, Fixtures.household("001", "张三"));
		Household li = Fixtures.registered(this.villages, village, Fixtures.household("002", "李四"));
		Caller admin = SignedIn.staffCaller(this.accounts, "stars-admin", Role.VILLAGE_ADMIN, village.id().value());
		this.boards
			.setStarRule(village.id(), "household",
					new StarRule(BoardPeriod.MONTH, StarRule.Mode.THRESHOLD,
							List.of(new StarRule.Step(1, 10), new StarRule.Step(2, 20), new StarRule.Step(3, 30))),
					admin.actor())
			.block();
		Fixtures.award(this.ledger, this.kinds, village, zhang, 25, "一月的好事");
		Fixtures.award(this.ledger, this.kinds, village, li, 5, "一月的小事");

		// Ten minutes into February in Shanghai (still 31 January in UTC): January
		// closes.
		at(2027, 2, 1, 0, 10);
		assertThat(this.history.freezeEnded(this.clock.instant()).block()).isEqualTo(1);
		this.history.freezeEnded(this.clock.instant()).block();
		assertThat(services().count("select count(*) from star_history")).as("frozen once").isEqualTo(2);

		Fixtures.award(this.ledger, this.kinds, village, zhang, 40, "二月的好事");
		String villager = SignedIn.villager(this.http, this.accounts, "stars-li", li.members().get(0).id());
		JsonNode january = this.http.get()
			.uri("/api/v1/villages/{id}/boards/stars/history?periodKey=2027-01", village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + villager)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		assertThat(january).hasSize(2);
		assertThat(january.get(0).get("ownerId").asLong()).isEqualTo(zhang.id().value());
		assertThat(january.get(0).get("points").asLong()).isEqualTo(25);
		assertThat(january.get(0).get("stars").asInt()).isEqualTo(2);
		assertThat(january.get(1).get("stars").asInt()).isZero();
		assertThat(services().count("select count(*) from star_history where period_key = '2027-02'")).isZero();
		this.http.get()
			.uri("/api/v1/villages/{id}/boards/stars/history?periodKey=not-a-period", village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + villager)
			.exchange()
			.expectStatus()
			.isBadRequest();
	}

	private void at(int year, int month, int day, int hour, int minute) {
		this.clock.set(LocalDateTime.of(year, month, day, hour, minute).atZone(SHANGHAI).toInstant());
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
