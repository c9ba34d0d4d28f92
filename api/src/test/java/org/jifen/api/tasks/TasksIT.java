package org.jifen.api.tasks;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;

import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Grant;
import org.jifen.api.identity.Role;
import org.jifen.api.ledger.Ledger;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.support.Fixtures;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.MovableClock;
import org.jifen.api.support.SignedIn;
import org.jifen.api.village.Household;
import org.jifen.api.village.MemberId;
import org.jifen.api.village.Region;
import org.jifen.api.village.RegionId;
import org.jifen.api.village.RegionLevel;
import org.jifen.api.village.Villages;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * 点单 · 派单 · 接单 through the API against the real ledger, with a clock the test moves and
 * the scheduler's round run at chosen instants. After every scenario the escrow holds
 * exactly the unpaid reward and the journal verifies.
 */
class TasksIT extends IntegrationTest {

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
	private TaskBoard tasks;

	private TaskScenarios scenario;

	private Instant now;

	private RegionId village;

	/** 王桂兰, 78, who needs meals carried; 100 volunteer points of her own. */
	private MemberId elder;

	private String elderToken;

	/** The elder's spouse, of her household. */
	private MemberId elderSpouse;

	/** The volunteer's spouse, of his household. */
	private MemberId volunteerSpouse;

	private MemberId volunteer;

	private String volunteerToken;

	private MemberId neighbour;

	private String neighbourToken;

	private String admin;

	private String reviewer;

	/** A reviewer from the elder's own household. */
	private String elderSonReviewer;

	@BeforeEach
	void aVillageWithAnElderTwoVolunteersAndOfficials() {
		services().wipe();
		this.now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
		this.clock.set(this.now);
		this.scenario = new TaskScenarios(this.http, this.ledger, this.kinds, services());
		Region region = Fixtures.village(this.villages, "tasks");
		this.village = region.id();
		Household elderHome = Fixtures.registered(this.villages, region, Fixtures.household("001", "王桂兰"));
		Household volunteerHome = Fixtures.registered(this.villages, region, Fixtures.household("002", "张建国"));
		Household neighbourHome = Fixtures.registered(this.villages, region, Fixtures.household("003", "李春梅"));
		this.elder = elderHome.members().get(0).id();
		this.volunteer = volunteerHome.members().get(0).id();
		this.neighbour = neighbourHome.members().get(0).id();
		this.elderSpouse = elderHome.members().get(1).id();
		this.volunteerSpouse = volunteerHome.members().get(1).id();
		this.elderToken = SignedIn.villager(this.http, this.accounts, "elder", this.elder);
		this.volunteerToken = SignedIn.villager(this.http, this.accounts, "volunteer", this.volunteer);
		this.neighbourToken = SignedIn.villager(this.http, this.accounts, "neighbour", this.neighbour);
		this.admin = SignedIn.staff(this.http, this.accounts, "tasks-admin", Role.VILLAGE_ADMIN, this.village.value());
		this.reviewer = SignedIn.staff(this.http, this.accounts, "tasks-reviewer", Role.REVIEWER, this.village.value());
		this.accounts
			.bindVillager("dev-openid-son", this.elderSpouse,
					List.of(Grant.inRegion(Role.REVIEWER, this.village.value())))
			.block();
		this.elderSonReviewer = SignedIn.wechat(this.http, "dev-son", null).get("accessToken").asString();
		this.scenario.volunteerPoints(this.village, this.elder, 100);
	}

	@AfterEach
	void escrowHoldsTheUnpaidReward() {
		this.scenario.escrowHoldsTheUnpaidReward(this.village);
	}

	@Test
	void aNeedIsPostedGrabbedDoneConfirmedAndPaidWithItsHoursAndTheRestReturnsOnCancel() {
		long task = this.scenario.posted(this.elderToken, this.village, need(2, 10));
		assertThat(this.scenario.available(this.village, this.elder)).isEqualTo(80);
		assertThat(this.scenario.escrow(this.village)).isEqualTo(20);

		JsonNode slot = this.scenario.ok(this.volunteerToken, task, "grab");
		assertThat(slot.get("n").asInt()).isEqualTo(1);
		assertThat(slot.get("state").asString()).isEqualTo("GRABBED");
		this.clock.set(this.now.plus(Duration.ofHours(2)));
		this.scenario.ok(this.volunteerToken, task, "check-in");
		this.clock.set(this.now.plus(Duration.ofHours(3)).plus(Duration.ofMinutes(30)));
		this.scenario.ok(this.volunteerToken, task, "complete",
				Map.of("note", "午饭已送到，老人身体挺好", "photos", List.of("evidence/2026/meal-1.jpg")));
		JsonNode paid = this.scenario.ok(this.elderToken, task, "slots/1/confirm");
		assertThat(paid.get("state").asString()).isEqualTo("PAID");
		assertThat(paid.get("minutes").asInt()).isEqualTo(90);

		assertThat(this.scenario.available(this.village, this.volunteer)).isEqualTo(10);
		assertThat(this.scenario.score(this.village, this.volunteer)).as("volunteer points rank and make stars")
			.isEqualTo(10);
		assertThat(this.scenario.escrow(this.village)).isEqualTo(10);
		this.http.get()
			.uri("/api/v1/members/{id}/volunteer-hours", this.volunteer.value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + this.neighbourToken)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.tasks")
			.isEqualTo(1)
			.jsonPath("$.minutes")
			.isEqualTo(90)
			.jsonPath("$.points")
			.isEqualTo(10);

		this.scenario.ok(this.elderToken, task, "cancel");
		assertThat(this.scenario.available(this.village, this.elder)).isEqualTo(90);
		assertThat(this.scenario.escrow(this.village)).isZero();
		assertThat(this.scenario.state(this.elderToken, task, 2)).isEqualTo("RETURNED");
		// Paying and returning are keyed by the slot: confirming again moves nothing.
		this.scenario.refused(this.elderToken, task, "slots/1/confirm", 409, "illegal-task-transition");
		assertThat(services().count("select count(*) from journal_transaction where type = 'TASK_PAY'")).isEqualTo(1);

		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(notifications("task.grabbed", this.elder)).isEqualTo(1);
			assertThat(notifications("task.paid", this.volunteer)).isEqualTo(1);
		});
		assertThat(services().count("""
				select count(*) from notification n join app_user u on u.id = n.user_id
				where n.type = 'task.grabbed' and n.arguments ->> 0 = '送午饭' and n.arguments ->> 1 = '张*国'
				  and u.member_id = ?""", this.elder.value())).isEqualTo(1);
	}

	@Test
	void aPosterWithoutEnoughAvailablePointsCannotPostAndNothingIsWritten() {
		this.scenario.post(this.elderToken, this.village, need(3, 40))
			.expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:insufficient-points")
			.jsonPath("$.available")
			.isEqualTo(100)
			.jsonPath("$.required")
			.isEqualTo(120);
		assertThat(services().count("select count(*) from task")).isZero();
		assertThat(services().count("select count(*) from journal_transaction where type = 'ESCROW'")).isZero();
		assertThat(this.scenario.available(this.village, this.elder)).isEqualTo(100);
		// Party points (红色存折) are not spent: a task in them comes from the village pool.
		Map<String, Object> inPartyPoints = new HashMap<>(need(1, 10));
		inPartyPoints.put("kind", "party");
		this.scenario.post(this.elderToken, this.village, inPartyPoints)
			.expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:point-kind-not-spendable");
		// A villager does not post from the village pool; an admin does.
		Map<String, Object> fromPool = new HashMap<>(need(3, 40));
		fromPool.put("fromVillagePool", true);
		this.scenario.post(this.elderToken, this.village, fromPool).expectStatus().isForbidden();
		this.scenario.posted(this.admin, this.village, fromPool);
		assertThat(this.scenario.escrow(this.village)).isEqualTo(120);
	}

	@Test
	void illegalTransitionsAreConflicts() {
		long task = this.scenario.posted(this.elderToken, this.village, need(2, 10));
		this.scenario.refused(this.elderToken, task, "slots/1/confirm", 409, "illegal-task-transition");
		this.scenario.refused(this.elderToken, task, "grab", 422, "own-task");
		this.scenario.refused(this.volunteerToken, task, "check-in", 404, "task-slot-not-found");
		this.scenario.ok(this.volunteerToken, task, "grab");
		this.scenario.refused(this.volunteerToken, task, "grab", 409, "task-already-joined");
		this.scenario.refused(this.volunteerToken, task, "complete", 409, "illegal-task-transition", Map.of());
		this.scenario.refused(this.volunteerToken, task, "accept", 409, "illegal-task-transition");
		this.scenario.ok(this.volunteerToken, task, "check-in");
		this.scenario.refused(this.volunteerToken, task, "check-in", 409, "illegal-task-transition");
		this.scenario.refused(this.elderToken, task, "slots/1/dispute", 409, "illegal-task-transition",
				Map.of("reason", "没来"));
		this.scenario.ok(this.neighbourToken, task, "grab");
		this.scenario.ok(this.elderToken, task, "cancel");
		this.scenario.refused(this.elderToken, task, "cancel", 409, "task-closed");
		this.scenario.refused(this.neighbourToken, task, "check-in", 409, "illegal-task-transition");
		assertThat(this.scenario.state(this.elderToken, task, 2)).isEqualTo("RETURNED");
		// Started work carries on after a cancel.
		assertThat(this.scenario.state(this.elderToken, task, 1)).isEqualTo("STARTED");
		this.scenario.refused(this.neighbourToken, task, "slots/1/confirm", 403, "forbidden");
	}

	@Test
	void aVolunteerReleasesBeforeTheStartAndTheSchedulerReleasesWhoNeverCame() {
		long task = this.scenario.posted(this.elderToken, this.village, need(1, 10));
		this.scenario.ok(this.volunteerToken, task, "grab");
		this.scenario.refused(this.neighbourToken, task, "grab", 409, "task-already-taken");
		JsonNode released = this.scenario.ok(this.volunteerToken, task, "release");
		assertThat(released.get("state").asString()).isEqualTo("OPEN");
		assertThat(released.get("volunteerMemberId").isNull()).isTrue();
		this.scenario.ok(this.neighbourToken, task, "grab");

		this.clock.set(this.now.plus(Duration.ofHours(2)).plusSeconds(60));
		this.scenario.refused(this.neighbourToken, task, "release", 409, "task-already-started");
		// Within the grace the slot stays with its volunteer.
		assertThat(this.tasks.runDue(this.clock.instant()).block()).isZero();
		assertThat(this.scenario.state(this.elderToken, task, 1)).isEqualTo("GRABBED");

		Instant afterGrace = this.now.plus(Duration.ofHours(2)).plus(Duration.ofMinutes(31));
		assertThat(this.tasks.runDue(afterGrace).block()).isEqualTo(1);
		assertThat(this.tasks.runDue(afterGrace).block()).as("a second round finds nothing").isZero();
		assertThat(this.scenario.state(this.elderToken, task, 1)).isEqualTo("OPEN");
		this.clock.set(afterGrace);
		// Taken again after the start, the new volunteer gets their own grace.
		this.scenario.ok(this.volunteerToken, task, "grab");
		assertThat(this.tasks.runDue(afterGrace.plus(Duration.ofMinutes(29))).block()).isZero();
		assertThat(this.scenario.escrow(this.village)).isEqualTo(10);
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(notifications("task.auto-released", this.neighbour)).isEqualTo(1));
	}

	@Test
	void anUnconfirmedCompletionConfirmsItselfAndPaysOnce() {
		Map<String, Object> week = new HashMap<>(need(1, 10));
		week.put("deadline", this.now.plus(Duration.ofDays(7)).toString());
		long task = this.scenario.posted(this.elderToken, this.village, week);
		done(task, Map.of("note", "扫完了", "minutes", 45));
		assertThat(this.tasks.runDue(this.now.plus(Duration.ofHours(71))).block()).isZero();
		assertThat(this.scenario.state(this.elderToken, task, 1)).isEqualTo("COMPLETED");
		Instant later = this.now.plus(Duration.ofHours(73));
		// Two instances running the round at once: one of them pays.
		assertThat(Flux.merge(this.tasks.runDue(later), this.tasks.runDue(later)).reduce(0L, Long::sum).block())
			.isEqualTo(1);
		assertThat(this.tasks.runDue(later).block()).isZero();
		assertThat(this.scenario.state(this.elderToken, task, 1)).isEqualTo("PAID");
		assertThat(this.scenario.available(this.village, this.volunteer)).isEqualTo(10);
		assertThat(services().count("select minutes from task_slot where task_id = ?", task)).isEqualTo(45);
		assertThat(services().count("select count(*) from journal_transaction where type = 'TASK_PAY'")).isEqualTo(1);
	}

	@Test
	void aDisputeGoesToAnImpartialReviewerWhoPaysPartAndReturnsTheRest() {
		long task = this.scenario.posted(this.elderToken, this.village, need(1, 10));
		done(task, Map.of("note", "送到了"));
		this.scenario.ok(this.elderToken, task, "slots/1/dispute", Map.of("reason", "只送了一半的饭"));
		// A disputed completion no longer confirms itself.
		this.tasks.runDue(this.now.plus(Duration.ofDays(4))).block();
		assertThat(this.scenario.state(this.elderToken, task, 1)).isEqualTo("DISPUTED");
		this.scenario.refused(this.elderSonReviewer, task, "slots/1/decision", 403, "conflict-of-interest",
				Map.of("outcome", "PAY"));
		this.scenario.refused(this.volunteerToken, task, "slots/1/decision", 403, "forbidden",
				Map.of("outcome", "PAY"));
		this.scenario.refused(this.reviewer, task, "slots/1/decision", 400, "invalid-decision-points",
				Map.of("outcome", "PARTIAL", "points", 11));
		JsonNode decided = this.scenario.ok(this.reviewer, task, "slots/1/decision",
				Map.of("outcome", "PARTIAL", "points", 4));
		assertThat(decided.get("state").asString()).isEqualTo("PAID");
		assertThat(decided.get("paidPoints").asLong()).isEqualTo(4);
		assertThat(decided.get("returnedPoints").asLong()).isEqualTo(6);
		assertThat(this.scenario.available(this.village, this.volunteer)).isEqualTo(4);
		assertThat(this.scenario.available(this.village, this.elder)).isEqualTo(96);
		this.scenario.refused(this.reviewer, task, "slots/1/decision", 409, "illegal-task-transition",
				Map.of("outcome", "RETURN"));
	}

	@Test
	void aDisputeReturnedInFullPaysNothingAndTellsTheVolunteer() {
		long task = this.scenario.posted(this.elderToken, this.village, need(1, 10));
		done(task, Map.of("note", "送到了"));
		this.scenario.ok(this.elderToken, task, "slots/1/dispute", Map.of("reason", "没有送到"));
		JsonNode decided = this.scenario.ok(this.reviewer, task, "slots/1/decision", Map.of("outcome", "RETURN"));
		assertThat(decided.get("state").asString()).isEqualTo("RETURNED");
		assertThat(this.scenario.available(this.village, this.volunteer)).isZero();
		assertThat(this.scenario.available(this.village, this.elder)).isEqualTo(100);
		this.clock.set(Instant.now().plusSeconds(1));
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(notifications("task.unpaid", this.volunteer)).isEqualTo(1));
	}

	@Test
	void aReplayedPostIsTheSamePostAndAHouseholdKindIsPaidFromAndToHouseholds() {
		Map<String, Object> body = need(1, 10);
		String key = java.util.UUID.randomUUID().toString();
		long first = this.scenario.posted(this.elderToken, this.village, body, key);
		long again = this.scenario.posted(this.elderToken, this.village, body, key);
		assertThat(again).isEqualTo(first);
		assertThat(services().count("select count(*) from task")).isEqualTo(1);
		assertThat(this.scenario.available(this.village, this.elder)).isEqualTo(90);

		// 户积分 belong to households: the elder's household funds it, the volunteer's is
		// paid.
		long task = elderHouseholdNeed(30);
		assertThat(householdAvailable(this.elder)).isEqualTo(20);
		done(task, Map.of());
		this.scenario.ok(this.elderToken, task, "slots/1/confirm");
		assertThat(householdAvailable(this.volunteer)).isEqualTo(30);
	}

	/**
	 * The elder's household is awarded 50 household points (户积分) and posts a one-slot
	 * need paid in them; the task.
	 */
	private long elderHouseholdNeed(long reward) {
		Household elderHome = this.villages.household(this.villages.memberHome(this.elder).block().householdId())
			.block();
		Fixtures.award(this.ledger, this.kinds, this.villages.region(this.village).block(), elderHome, 50, "孝老爱亲");
		Map<String, Object> inHouseholdPoints = new HashMap<>(need(1, reward));
		inHouseholdPoints.put("kind", "household");
		return this.scenario.posted(this.elderToken, this.village, inHouseholdPoints);
	}

	/** The volunteer takes the task's first free slot, checks in and reports it done. */
	private void done(long task, Map<String, Object> report) {
		this.scenario.ok(this.volunteerToken, task, "grab");
		this.scenario.ok(this.volunteerToken, task, "check-in");
		this.scenario.ok(this.volunteerToken, task, "complete", report);
	}

	private long householdAvailable(MemberId member) {
		return services().count("""
				select coalesce(sum(a.available), 0) from account a join point_kind k on k.id = a.kind_id
				where k.code = 'household' and a.household_id = (select household_id from member where id = ?)""",
				member.value());
	}

	@Test
	void aVillageTaskFromThePoolExpiresReturningWhatWasNotEarned() {
		Map<String, Object> harvest = new HashMap<>(need(3, 20));
		harvest.put("title", "帮孤寡老人收玉米");
		harvest.put("category", "农忙互助");
		harvest.put("fromVillagePool", true);
		long task = this.scenario.posted(this.admin, this.village, harvest);
		assertThat(this.scenario.escrow(this.village)).isEqualTo(60);
		done(task, Map.of("note", "收完两亩"));
		this.scenario.ok(this.neighbourToken, task, "grab");

		Instant pastDeadline = this.now.plus(Duration.ofDays(1)).plusSeconds(1);
		this.clock.set(pastDeadline);
		this.tasks.runDue(pastDeadline).block();
		assertThat(this.scenario.view(this.admin, task).get("task").get("status").asString()).isEqualTo("EXPIRED");
		assertThat(this.scenario.state(this.admin, task, 1)).isEqualTo("COMPLETED");
		assertThat(this.scenario.state(this.admin, task, 2)).isEqualTo("RETURNED");
		assertThat(this.scenario.state(this.admin, task, 3)).isEqualTo("RETURNED");
		assertThat(this.scenario.escrow(this.village)).as("the completed slot waits for its confirmation")
			.isEqualTo(20);
		this.scenario.refused(this.neighbourToken, task, "grab", 409, "task-closed");
		this.scenario.ok(this.admin, task, "slots/1/confirm");
		assertThat(this.scenario.escrow(this.village)).isZero();
		assertThat(this.scenario.available(this.village, this.volunteer)).isEqualTo(20);
		assertThat(services().count("""
				select count(*) from audit_entry where action = 'task.posted' and subject = ?""", "task:" + task))
			.isEqualTo(1);
	}

	@Test
	void anAdminDispatchesToANamedVillagerWhoMayDeclineOrAccept() {
		Map<String, Object> forElder = new HashMap<>(need(1, 10));
		forElder.put("forMemberId", this.elder.value());
		long task = this.scenario.posted(this.admin, this.village, forElder);
		assertThat(this.scenario.available(this.village, this.elder)).as("代点单 spends the elder's own points")
			.isEqualTo(90);
		this.scenario.refused(this.elderToken, task, "dispatch", 403, "forbidden",
				Map.of("memberId", this.volunteer.value()));
		this.scenario.ok(this.admin, task, "dispatch", Map.of("memberId", this.volunteer.value()));
		this.scenario.refused(this.neighbourToken, task, "grab", 409, "task-already-taken");
		this.scenario.ok(this.volunteerToken, task, "decline");
		assertThat(this.scenario.state(this.admin, task, 1)).isEqualTo("OPEN");
		this.scenario.ok(this.admin, task, "dispatch", Map.of("memberId", this.neighbour.value()));
		JsonNode accepted = this.scenario.ok(this.neighbourToken, task, "accept");
		assertThat(accepted.get("state").asString()).isEqualTo("GRABBED");
		// The relay claims events due by the clock's time: let it catch up with the
		// database's.
		this.clock.set(Instant.now().plusSeconds(1));
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(notifications("task.dispatched", this.neighbour)).isEqualTo(1);
			assertThat(notifications("task.grabbed", this.elder)).isEqualTo(1);
		});
	}

	@Test
	void volunteersBrowseOpenTasksByCategoryAndTimePageByPageAndTheTownWhereAVillageAllows() {
		long meals = this.scenario.posted(this.elderToken, this.village, need(2, 5));
		Map<String, Object> sweep = new HashMap<>(need(1, 5));
		sweep.put("title", "打扫村道");
		sweep.put("category", "环境整治");
		sweep.put("startsAt", this.now.plus(Duration.ofHours(10)).toString());
		long lane = this.scenario.posted(this.elderToken, this.village, sweep);
		long full = this.scenario.posted(this.elderToken, this.village, need(1, 5));
		this.scenario.ok(this.volunteerToken, full, "grab");

		JsonNode first = browse(this.neighbourToken, this.village, "?limit=1");
		assertThat(first.get("items").get(0).get("id").asLong()).isEqualTo(meals);
		assertThat(first.get("items").get(0).get("slotsLeft").asInt()).isEqualTo(2);
		JsonNode second = browse(this.neighbourToken, this.village,
				"?limit=1&cursor=" + first.get("nextCursor").asString());
		assertThat(second.get("items").get(0).get("id").asLong()).isEqualTo(lane);
		assertThat(second.get("nextCursor").isNull()).as("the full task is not listed").isTrue();
		assertThat(browse(this.neighbourToken, this.village, "?category=环境整治").get("items")).hasSize(1);
		assertThat(browse(this.neighbourToken, this.village,
				"?from=" + this.now.plus(Duration.ofHours(5)) + "&to=" + this.now.plus(Duration.ofHours(11)))
			.get("items")).hasSize(1);

		// A neighbouring village of the same town opens its tasks to the town.
		Neighbour east = neighbouringVillage();
		long eastTask = this.scenario.posted(east.token(), east.region().id(), need(1, 5));
		assertThat(browse(this.neighbourToken, this.village, "").get("items")).hasSize(2);
		this.scenario.refused(this.neighbourToken, eastTask, "grab", 403, "forbidden");
		openToTown(east);
		assertThat(browse(this.neighbourToken, this.village, "").get("items")).hasSize(3);
		this.scenario.ok(this.neighbourToken, eastTask, "grab");
		this.scenario.escrowHoldsTheUnpaidReward(east.region().id());
	}

	/**
	 * 东坪村, a village of the same town, with one villager who has 50 volunteer points.
	 */
	private Neighbour neighbouringVillage() {
		Region east = this.villages
			.createRegion(this.villages.region(this.village).block().parentId(), RegionLevel.VILLAGE, "tasks-east",
					"东坪村")
			.block();
		Household eastHome = Fixtures.registered(this.villages, east, Fixtures.household("001", "赵大爷"));
		MemberId member = eastHome.members().get(0).id();
		String token = SignedIn.villager(this.http, this.accounts, "east", member);
		this.scenario.volunteerPoints(east.id(), member, 50);
		return new Neighbour(east, member, token);
	}

	/** The village's admin opens its tasks to volunteers of the whole town. */
	private void openToTown(Neighbour neighbour) {
		String admin = SignedIn.staff(this.http, this.accounts, "east-admin", Role.VILLAGE_ADMIN,
				neighbour.region().id().value());
		this.http.put()
			.uri("/api/v1/villages/{id}/task-settings", neighbour.region().id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + admin)
			.contentType(org.springframework.http.MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("townWide", true))
			.exchange()
			.expectStatus()
			.isOk();
	}

	/** Another village of the town and a villager of it. */
	private record Neighbour(Region region, MemberId member, String token) {
	}

	@Test
	void aHouseholdNeitherTakesNorIsDispatchedItsOwnNeed() {
		// 户积分: escrow from the elder's household would come back to it with score.
		long task = elderHouseholdNeed(30);
		this.scenario.refused(this.elderSonReviewer, task, "grab", 422, "own-task");
		this.scenario.refused(this.admin, task, "dispatch", 422, "own-task",
				Map.of("memberId", this.elderSpouse.value()));
		assertThat(this.scenario.state(this.elderToken, task, 1)).isEqualTo("OPEN");
		this.scenario.ok(this.admin, task, "dispatch", Map.of("memberId", this.volunteer.value()));
	}

	@Test
	void aTownVolunteerFromAnotherVillageIsPaidIntoTheirHomeVillage() {
		Neighbour east = neighbouringVillage();
		openToTown(east);
		long eastTask = this.scenario.posted(east.token(), east.region().id(), need(2, 5));
		this.scenario.ok(this.volunteerToken, eastTask, "grab");
		this.clock.set(this.now.plus(Duration.ofHours(2)));
		this.scenario.ok(this.volunteerToken, eastTask, "check-in");
		this.scenario.ok(this.volunteerToken, eastTask, "complete", Map.of("note", "送到了"));
		JsonNode paid = this.scenario.ok(east.token(), eastTask, "slots/1/confirm");
		assertThat(paid.get("state").asString()).isEqualTo("PAID");

		assertThat(this.scenario.available(this.village, this.volunteer)).isEqualTo(5);
		assertThat(this.scenario.score(this.village, this.volunteer)).isEqualTo(5);
		assertThat(services().count("select count(*) from account where village_id = ? and member_id = ?",
				east.region().id().value(), this.volunteer.value()))
			.as("no account of the volunteer in the task's village")
			.isZero();
		assertThat(this.scenario.escrow(east.region().id())).as("the open slot's reward").isEqualTo(5);
		this.scenario.escrowHoldsTheUnpaidReward(east.region().id());
	}

	@Test
	void startedWorkCompletedJustAfterTheDeadlineIsStillPaidAndReturnsOnlyAfterTheGrace() {
		long task = this.scenario.posted(this.elderToken, this.village, need(2, 10));
		this.scenario.ok(this.volunteerToken, task, "grab");
		this.scenario.ok(this.neighbourToken, task, "grab");
		this.clock.set(this.now.plus(Duration.ofHours(2)));
		this.scenario.ok(this.volunteerToken, task, "check-in");
		this.scenario.ok(this.neighbourToken, task, "check-in");

		Instant deadline = this.now.plus(Duration.ofDays(1));
		Instant justAfter = deadline.plus(Duration.ofMinutes(1));
		this.clock.set(justAfter);
		this.tasks.runDue(justAfter).block();
		assertThat(this.scenario.view(this.elderToken, task).get("task").get("status").asString()).isEqualTo("EXPIRED");
		assertThat(this.scenario.state(this.elderToken, task, 1)).isEqualTo("STARTED");
		this.scenario.ok(this.volunteerToken, task, "complete", Map.of("note", "送到了"));
		this.scenario.ok(this.elderToken, task, "slots/1/confirm");
		assertThat(this.scenario.available(this.village, this.volunteer)).isEqualTo(10);

		// Started work never reported returns once the grace after the deadline is over.
		Instant withinGrace = deadline.plus(Duration.ofHours(72)).minusSeconds(1);
		this.tasks.runDue(withinGrace).block();
		assertThat(this.scenario.state(this.elderToken, task, 2)).isEqualTo("STARTED");
		Instant afterGrace = deadline.plus(Duration.ofHours(72)).plusSeconds(1);
		this.tasks.runDue(afterGrace).block();
		assertThat(this.scenario.state(this.elderToken, task, 2)).isEqualTo("RETURNED");
		assertThat(this.scenario.available(this.village, this.elder)).isEqualTo(90);
		assertThat(this.scenario.escrow(this.village)).isZero();
	}

	@Test
	void aVolunteerOrTheirHouseholdNeitherConfirmsNorDisputesTheirOwnWork() {
		this.accounts
			.bindVillager("dev-openid-volunteer-spouse", this.volunteerSpouse,
					List.of(Grant.inRegion(Role.VILLAGE_ADMIN, this.village.value())))
			.block();
		String spouseAdmin = SignedIn.wechat(this.http, "dev-volunteer-spouse", null).get("accessToken").asString();
		Map<String, Object> fromPool = new HashMap<>(need(1, 10));
		fromPool.put("fromVillagePool", true);
		long task = this.scenario.posted(this.admin, this.village, fromPool);
		done(task, Map.of("note", "送到了"));
		this.scenario.refused(spouseAdmin, task, "slots/1/confirm", 403, "conflict-of-interest");
		this.scenario.refused(spouseAdmin, task, "slots/1/dispute", 403, "conflict-of-interest",
				Map.of("reason", "没来"));
		assertThat(this.scenario.state(this.admin, task, 1)).isEqualTo("COMPLETED");

		// An admin who posts a pool task and does it herself does not confirm it.
		long own = this.scenario.posted(spouseAdmin, this.village, fromPool);
		this.scenario.ok(spouseAdmin, own, "grab");
		this.scenario.ok(spouseAdmin, own, "check-in");
		this.scenario.ok(spouseAdmin, own, "complete", Map.of());
		this.scenario.refused(spouseAdmin, own, "slots/1/confirm", 403, "conflict-of-interest");
		this.scenario.ok(this.admin, own, "slots/1/confirm");
		this.scenario.ok(this.admin, task, "slots/1/confirm");
		assertThat(this.scenario.available(this.village, this.volunteer)).isEqualTo(10);
	}

	@Test
	void aPoolTaskNamesNoBeneficiaryWhenPostedByAnAdminWhoIsAVillager() {
		Neighbour east = neighbouringVillage();
		long town = this.villages.region(this.village).block().parentId().value();
		this.accounts
			.bindVillager("dev-openid-town-admin", this.volunteerSpouse, List.of(Grant.inRegion(Role.TOWN_ADMIN, town)))
			.block();
		String townAdmin = SignedIn.wechat(this.http, "dev-town-admin", null).get("accessToken").asString();
		Map<String, Object> fromPool = new HashMap<>(need(1, 10));
		fromPool.put("fromVillagePool", true);
		JsonNode posted = this.scenario.post(townAdmin, east.region().id(), fromPool)
			.expectStatus()
			.isCreated()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		assertThat(posted.get("forMemberId").isNull()).isTrue();
		assertThat(posted.get("forHouseholdId").isNull()).isTrue();
		long own = this.scenario.posted(townAdmin, this.village, fromPool);
		assertThat(this.scenario.view(this.admin, own).get("task").get("forHouseholdId").isNull()).isTrue();
		// Nobody's need: the admin's own household may take it.
		this.scenario.ok(this.volunteerToken, own, "grab");
		this.scenario.escrowHoldsTheUnpaidReward(east.region().id());
	}

	private JsonNode browse(String token, RegionId village, String query) {
		return this.http.get()
			.uri("/api/v1/villages/" + village.value() + "/tasks" + query)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
	}

	/** Meals carried to the elder: starts in 2 hours, due within a day. */
	private Map<String, Object> need(int slots, long reward) {
		return Map.of("title", "送午饭", "category", "助老服务", "description", "给王桂兰老人送午饭", "slots", slots, "reward", reward,
				"startsAt", this.now.plus(Duration.ofHours(2)).toString(), "deadline",
				this.now.plus(Duration.ofDays(1)).toString());
	}

	/** Notifications of this type in the member's own inbox. */
	private long notifications(String type, MemberId member) {
		return services().count("""
				select count(*) from notification n join app_user u on u.id = n.user_id
				where n.type = ? and u.member_id = ?""", type, member.value());
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
