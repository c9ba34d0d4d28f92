package org.jifen.api.tasks;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

import org.jifen.api.ledger.AccountRef;
import org.jifen.api.ledger.Ledger;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.ledger.Posting;
import org.jifen.api.ledger.SystemRole;
import org.jifen.api.support.RealServices;
import org.jifen.api.village.MemberId;
import org.jifen.api.village.RegionId;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** What the task tests do through the API, and the escrow check they run after each. */
final class TaskScenarios {

	private final WebTestClient http;

	private final Ledger ledger;

	private final PointKinds kinds;

	private final RealServices services;

	TaskScenarios(WebTestClient http, Ledger ledger, PointKinds kinds, RealServices services) {
		this.http = http;
		this.ledger = ledger;
		this.kinds = kinds;
		this.services = services;
	}

	/** Volunteer points (爱心存折) for a member, straight into the ledger. */
	void volunteerPoints(RegionId village, MemberId member, long points) {
		long kind = this.kinds.kind(village, PointKinds.VOLUNTEER).block().id();
		this.ledger.post(new Posting(village, kind, "AWARD", "志愿服务积分", null,
				List.of(new Posting.Leg(new AccountRef.Member(member), points, points),
						new Posting.Leg(AccountRef.system(SystemRole.ISSUANCE), -points, 0))))
			.block();
	}

	WebTestClient.ResponseSpec post(String token, RegionId village, Map<String, Object> body) {
		return post(token, village, body, UUID.randomUUID().toString());
	}

	WebTestClient.ResponseSpec post(String token, RegionId village, Map<String, Object> body, String key) {
		return this.http.post()
			.uri("/api/v1/villages/{id}/tasks", village.value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.header("Idempotency-Key", key)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange();
	}

	long posted(String token, RegionId village, Map<String, Object> body) {
		return posted(token, village, body, UUID.randomUUID().toString());
	}

	long posted(String token, RegionId village, Map<String, Object> body, String key) {
		return post(token, village, body, key).expectStatus()
			.isCreated()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody()
			.get("id")
			.asLong();
	}

	/**
	 * A step on a task (grab, check-in, cancel, slots/1/confirm …) with an optional body.
	 */
	WebTestClient.ResponseSpec step(String token, long task, String step, Object... body) {
		var request = this.http.post()
			.uri("/api/v1/tasks/" + task + "/" + step)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token);
		return (body.length > 0) ? request.contentType(MediaType.APPLICATION_JSON).bodyValue(body[0]).exchange()
				: request.exchange();
	}

	JsonNode ok(String token, long task, String step, Object... body) {
		return step(token, task, step, body).expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
	}

	void refused(String token, long task, String step, int status, String type, Object... body) {
		step(token, task, step, body).expectStatus()
			.isEqualTo(status)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:" + type);
	}

	JsonNode view(String token, long task) {
		return this.http.get()
			.uri("/api/v1/tasks/{id}", task)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
	}

	String state(String token, long task, int slot) {
		return view(token, task).get("slots").get(slot - 1).get("state").asString();
	}

	long available(RegionId village, MemberId member) {
		return this.services.count("""
				select coalesce(sum(a.available), 0) from account a join point_kind k on k.id = a.kind_id
				where a.village_id = ? and a.member_id = ? and k.code = 'volunteer'""", village.value(),
				member.value());
	}

	long score(RegionId village, MemberId member) {
		return this.services.count("""
				select coalesce(sum(a.score), 0) from account a join point_kind k on k.id = a.kind_id
				where a.village_id = ? and a.member_id = ? and k.code = 'volunteer'""", village.value(),
				member.value());
	}

	long escrow(RegionId village) {
		return this.services.count(
				"select coalesce(sum(available), 0) from account where village_id = ? and system_role = 'ESCROW'",
				village.value());
	}

	/**
	 * Escrow of every kind holds exactly the reward of the slots not yet paid or
	 * returned, and the village's journal verifies.
	 */
	void escrowHoldsTheUnpaidReward(RegionId village) {
		assertThat(this.services.count("""
				select count(*) from (
				    select kind_id, sum(available) as held from account
				    where village_id = ? and system_role = 'ESCROW' group by kind_id) e
				full join (
				    select t.kind_id, sum(t.reward) as owed from task_slot s join task t on t.id = s.task_id
				    where t.village_id = ? and s.state not in ('PAID', 'RETURNED') group by t.kind_id) o
				  on o.kind_id = e.kind_id
				where coalesce(e.held, 0) <> coalesce(o.owed, 0)""", village.value(), village.value()))
			.as("kinds whose escrow differs from the unpaid reward")
			.isZero();
		assertThat(this.ledger.verify(village).block().intact()).as("the village's journal verifies").isTrue();
	}

}
