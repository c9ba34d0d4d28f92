package org.jifen.api.tasks;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Role;
import org.jifen.api.ledger.Ledger;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.support.Fixtures;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.SignedIn;
import org.jifen.api.village.MemberId;
import org.jifen.api.village.NewHousehold;
import org.jifen.api.village.Region;
import org.jifen.api.village.RegionId;
import org.jifen.api.village.Villages;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 500 villagers grab at once, each on their own connection: PostgreSQL settles who gets
 * each slot, and everyone else hears task-already-taken.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TaskGrabStormIT extends IntegrationTest {

	private static final int VILLAGERS = 500;

	@Autowired
	private Villages villages;

	@Autowired
	private Accounts accounts;

	@Autowired
	private Ledger ledger;

	@Autowired
	private PointKinds kinds;

	@LocalServerPort
	private int port;

	private RegionId village;

	private String admin;

	private final List<String> tokens = new ArrayList<>();

	private WebClient client;

	private TaskScenarios scenario;

	@BeforeAll
	void fiveHundredSignedInVillagers() {
		services().wipe();
		Region region = Fixtures.village(this.villages, "storm");
		this.village = region.id();
		List<NewHousehold> households = new ArrayList<>();
		for (int i = 0; i < VILLAGERS; i++) {
			households.add(new NewHousehold(null, String.format("%03d", i), "村民" + i, null,
					List.of(new NewHousehold.NewMember("村民" + i, "户主", 1970))));
		}
		this.villages.registerHouseholds(this.village, households).block();
		List<Long> members = services().ids(
				"select m.id from member m join household h on h.id = m.household_id where h.village_id = ? order by m.id",
				this.village.value());
		assertThat(members).hasSize(VILLAGERS);
		this.client = WebClient.builder()
			.baseUrl("http://localhost:" + this.port)
			.clientConnector(new ReactorClientHttpConnector(HttpClient.create(
					ConnectionProvider.builder("storm").maxConnections(VILLAGERS).pendingAcquireMaxCount(-1).build())))
			.build();
		Flux.range(0, VILLAGERS)
			.concatMap(
					(i) -> this.accounts.bindVillager("dev-openid-storm-" + i, new MemberId(members.get(i)), List.of()))
			.blockLast(Duration.ofMinutes(2));
		// One sign-in after the other: concurrent sign-ins contend on the JSON decoder's
		// reader cache lock, which BlockHound reports; the storm is the grabs, not this.
		this.tokens.addAll(Flux.range(0, VILLAGERS)
			.concatMap((i) -> this.client.post()
				.uri("/api/v1/auth/wechat")
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(Map.of("code", "dev-storm-" + i))
				.retrieve()
				.bodyToMono(tools.jackson.databind.JsonNode.class)
				.map((body) -> body.get("accessToken").asString()))
			.collectList()
			.block(Duration.ofMinutes(2)));
		this.admin = SignedIn.staff(this.http, this.accounts, "storm-admin", Role.VILLAGE_ADMIN, this.village.value());
		this.scenario = new TaskScenarios(this.http, this.ledger, this.kinds, services());
	}

	@Test
	void fiveHundredGrabsOfAOneSlotTaskMakeExactlyOneVolunteer() {
		long task = poolTask(1);
		List<Integer> statuses = storm(task);
		assertThat(statuses).filteredOn((status) -> status == 200).hasSize(1);
		assertThat(statuses).filteredOn((status) -> status == 409).hasSize(VILLAGERS - 1);
		assertThat(services().count("select count(*) from task_slot where task_id = ? and state = 'GRABBED'", task))
			.isEqualTo(1);
		this.scenario.escrowHoldsTheUnpaidReward(this.village);
	}

	@Test
	void fiveHundredGrabsOfAThreeSlotTaskMakeExactlyThreeDifferentVolunteers() {
		long task = poolTask(3);
		List<Integer> statuses = storm(task);
		assertThat(statuses).filteredOn((status) -> status == 200).hasSize(3);
		assertThat(statuses).filteredOn((status) -> status == 409).hasSize(VILLAGERS - 3);
		assertThat(services().count("""
				select count(distinct volunteer_member_id) from task_slot where task_id = ? and state = 'GRABBED'""",
				task))
			.isEqualTo(3);
		this.scenario.escrowHoldsTheUnpaidReward(this.village);
	}

	@Test
	void oneVolunteerGrabbingFromTenDevicesAtOnceHoldsOneSlot() {
		long task = poolTask(5);
		String token = this.tokens.get(0);
		List<Integer> statuses = Flux.range(0, 10)
			.flatMap((i) -> grab(task, token), 10)
			.map(Answer::status)
			.collectList()
			.block(Duration.ofMinutes(1));
		assertThat(statuses).filteredOn((status) -> status == 200).hasSize(1);
		assertThat(statuses).filteredOn((status) -> status == 409).hasSize(9);
		assertThat(services().count("select count(*) from task_slot where task_id = ? and state = 'OPEN'", task))
			.isEqualTo(4);
	}

	private List<Integer> storm(long task) {
		List<Answer> answers = Flux.fromIterable(this.tokens)
			.flatMap((token) -> grab(task, token), VILLAGERS)
			.collectList()
			.block(Duration.ofMinutes(2));
		assertThat(answers).filteredOn((answer) -> answer.status() == 409)
			.allSatisfy((answer) -> assertThat(answer.body()).contains("urn:jifen:problem:task-already-taken"));
		return answers.stream().map(Answer::status).toList();
	}

	private reactor.core.publisher.Mono<Answer> grab(long task, String token) {
		return this.client.post()
			.uri("/api/v1/tasks/{id}/grab", task)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.exchangeToMono((response) -> response.bodyToMono(String.class)
				.defaultIfEmpty("")
				.map((body) -> new Answer(response.statusCode().value(), body)));
	}

	private long poolTask(int slots) {
		Instant now = Instant.now();
		return this.scenario.posted(this.admin, this.village,
				Map.of("title", "秋收帮忙", "category", "农忙互助", "slots", slots, "reward", 10, "startsAt",
						now.plus(Duration.ofHours(2)).toString(), "deadline", now.plus(Duration.ofDays(1)).toString(),
						"fromVillagePool", true));
	}

	private record Answer(int status, String body) {
	}

}
