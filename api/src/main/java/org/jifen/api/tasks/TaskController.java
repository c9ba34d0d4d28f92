package org.jifen.api.tasks;

import java.time.Instant;
import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.jifen.api.identity.Access;
import org.jifen.api.tasks.TaskBoard.Completion;
import org.jifen.api.tasks.TaskBoard.Decision;
import org.jifen.api.tasks.TaskBoard.TaskView;
import org.jifen.api.village.MemberId;
import org.jifen.api.village.RegionId;
import org.jifen.api.web.CursorPage;
import org.jifen.api.web.PageRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** 点单 · 派单 · 接单: posting needs, taking slots, and seeing the work through to payment. */
@RestController
@Tag(name = "Tasks", description = "Volunteer order-taking: needs, grabs, dispatch, completion, payment")
class TaskController {

	private final TaskBoard tasks;

	private final Access access;

	TaskController(TaskBoard tasks, Access access) {
		this.tasks = tasks;
		this.access = access;
	}

	@PostMapping(path = "/api/v1/villages/{villageId}/tasks", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@ResponseStatus(HttpStatus.CREATED)
	@Operation(summary = "Post a need; its whole reward goes into escrow",
			description = "Villagers post from their own available points of the kind (default 爱心存折); admins may "
					+ "post from the village pool (fromVillagePool) or on behalf of a villager (forMemberId, 代点单). "
					+ "Refused with insufficient-points (with available and required) and nothing written.")
	Mono<Task> post(@PathVariable long villageId, @Valid @RequestBody Mono<TaskRequest> body,
			@RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey) {
		RegionId village = new RegionId(villageId);
		return this.access.caller()
			.flatMap((caller) -> this.access.requireRead(caller, village)
				.then(body)
				.flatMap((request) -> this.tasks.post(caller, village, request.toNewTask(), idempotencyKey)));
	}

	@GetMapping(path = "/api/v1/villages/{villageId}/tasks", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Open tasks with slots left, of the village and of town villages that open theirs",
			description = "Filter by category and by start time (from inclusive, to exclusive); cursor paging.")
	Mono<CursorPage<Task>> browse(@PathVariable long villageId,
			@RequestParam(required = false) @Nullable String category,
			@RequestParam(required = false) @Nullable Instant from,
			@RequestParam(required = false) @Nullable Instant to,
			@RequestParam(required = false) @Nullable String cursor,
			@RequestParam(required = false) @Nullable Integer limit) {
		return this.access.caller()
			.flatMap((caller) -> this.tasks.browse(caller, new RegionId(villageId), category, from, to,
					PageRequest.of(cursor, limit)));
	}

	@PutMapping(path = "/api/v1/villages/{villageId}/task-settings", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Open the village's tasks to volunteers of the whole town (village admins)")
	Mono<SettingsRequest> settings(@PathVariable long villageId, @Valid @RequestBody Mono<SettingsRequest> body) {
		RegionId village = new RegionId(villageId);
		return this.access.requireAdmin(village)
			.flatMap((caller) -> body.flatMap((request) -> this.tasks.openToTown(caller, village, request.townWide())))
			.map(SettingsRequest::new);
	}

	@GetMapping(path = "/api/v1/tasks/{taskId}", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "A task and its slots")
	Mono<TaskView> task(@PathVariable long taskId) {
		return this.access.caller().flatMap((caller) -> this.tasks.view(caller, taskId));
	}

	@PostMapping(path = "/api/v1/tasks/{taskId}/grab", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Take one open slot (接单)",
			description = "task-already-taken (409) when no slot is left; task-already-joined (409) for a second "
					+ "slot of the same task; task-closed (409) once cancelled, expired or past the deadline; own-task "
					+ "(422) for a need of the volunteer's own household.")
	Mono<TaskSlot> grab(@PathVariable long taskId) {
		return this.access.caller().flatMap((caller) -> this.tasks.grab(caller, taskId));
	}

	@PostMapping(path = "/api/v1/tasks/{taskId}/dispatch", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Assign an open slot to a named villager (派单, village admins)",
			description = "own-task (422) for a villager of the household the need is for.")
	Mono<TaskSlot> dispatch(@PathVariable long taskId, @Valid @RequestBody Mono<DispatchRequest> body) {
		return this.access.caller()
			.flatMap((caller) -> this.tasks.view(caller, taskId)
				.flatMap((view) -> this.access.requireAdmin(caller, new RegionId(view.task().villageId())))
				.then(body)
				.flatMap((request) -> this.tasks.dispatch(caller, taskId, request.memberId())));
	}

	@PostMapping(path = "/api/v1/tasks/{taskId}/accept", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Accept the slot dispatched to you")
	Mono<TaskSlot> accept(@PathVariable long taskId) {
		return this.access.caller().flatMap((caller) -> this.tasks.accept(caller, taskId));
	}

	@PostMapping(path = "/api/v1/tasks/{taskId}/decline", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Decline the slot dispatched to you; it is open again")
	Mono<TaskSlot> decline(@PathVariable long taskId) {
		return this.access.caller().flatMap((caller) -> this.tasks.decline(caller, taskId));
	}

	@PostMapping(path = "/api/v1/tasks/{taskId}/release", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Give your slot back, before the task starts")
	Mono<TaskSlot> release(@PathVariable long taskId) {
		return this.access.caller().flatMap((caller) -> this.tasks.release(caller, taskId));
	}

	@PostMapping(path = "/api/v1/tasks/{taskId}/check-in", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Check in on the spot: the work starts")
	Mono<TaskSlot> checkIn(@PathVariable long taskId) {
		return this.access.caller().flatMap((caller) -> this.tasks.checkIn(caller, taskId));
	}

	@PostMapping(path = "/api/v1/tasks/{taskId}/complete", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Report the work done, with a note, photo references and optionally the minutes worked")
	Mono<TaskSlot> complete(@PathVariable long taskId, @Valid @RequestBody Mono<CompletionRequest> body) {
		return this.access.caller()
			.flatMap((caller) -> this.tasks.view(caller, taskId)
				.then(body)
				.flatMap((request) -> this.tasks.complete(caller, taskId, new Completion(request.note(),
						(request.photos() != null) ? request.photos() : List.of(), request.minutes()))));
	}

	@PostMapping(path = "/api/v1/tasks/{taskId}/slots/{slot}/confirm", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Confirm a completion (the poster or an admin): escrow pays the volunteer",
			description = "A town volunteer from another village is paid into their home village's account. "
					+ "conflict-of-interest (403) for the volunteer or someone of their household.")
	Mono<TaskSlot> confirm(@PathVariable long taskId, @PathVariable int slot) {
		return this.access.caller().flatMap((caller) -> this.tasks.confirm(caller, taskId, slot));
	}

	@PostMapping(path = "/api/v1/tasks/{taskId}/slots/{slot}/dispute", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Dispute a completion (the poster or an admin); a reviewer decides",
			description = "conflict-of-interest (403) for the volunteer or someone of their household.")
	Mono<TaskSlot> dispute(@PathVariable long taskId, @PathVariable int slot,
			@Valid @RequestBody Mono<DisputeRequest> body) {
		return this.access.caller()
			.flatMap((caller) -> this.tasks.view(caller, taskId)
				.then(body)
				.flatMap((request) -> this.tasks.dispute(caller, taskId, slot, request.reason().strip())));
	}

	@PostMapping(path = "/api/v1/tasks/{taskId}/slots/{slot}/decision", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Decide a disputed completion (reviewers): PAY, PARTIAL with points, or RETURN",
			description = "conflict-of-interest (403) for a reviewer of the poster's or the volunteer's household.")
	Mono<TaskSlot> decide(@PathVariable long taskId, @PathVariable int slot,
			@Valid @RequestBody Mono<DecisionRequest> body) {
		return this.access.caller()
			.flatMap((caller) -> this.tasks.view(caller, taskId)
				.flatMap((view) -> this.access.requireReviewer(caller, new RegionId(view.task().villageId())))
				.then(body)
				.flatMap((request) -> this.tasks.decide(caller, taskId, slot,
						new Decision(request.outcome(), request.points()))));
	}

	@PostMapping(path = "/api/v1/tasks/{taskId}/cancel", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Cancel a task (the poster or an admin); unstarted slots return their reward")
	Mono<Task> cancel(@PathVariable long taskId) {
		return this.access.caller().flatMap((caller) -> this.tasks.cancel(caller, taskId));
	}

	@GetMapping(path = "/api/v1/members/{memberId}/volunteer-hours", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "A volunteer's paid tasks, minutes worked and points earned")
	Mono<VolunteerHours> hours(@PathVariable long memberId) {
		return this.tasks.hours(new MemberId(memberId));
	}

	record TaskRequest(@NotBlank @Size(max = 100) String title, @Size(max = 2000) @Nullable String description,
			@NotBlank @Size(max = 32) String category, @Positive @Nullable Long groupId,
			@NotNull @Min(1) @Max(100) Integer slots, @NotNull @Positive @Max(100_000) Long reward,
			@NotNull Instant startsAt, @NotNull Instant deadline, @Size(max = 200) @Nullable String skills,
			@Size(max = 32) @Nullable String kind, @Nullable Boolean fromVillagePool,
			@Positive @Nullable Long forMemberId) {

		NewTask toNewTask() {
			return new NewTask(this.title.strip(), this.description, this.category.strip(), this.groupId, this.slots,
					this.reward, this.startsAt, this.deadline, this.skills, this.kind,
					Boolean.TRUE.equals(this.fromVillagePool), this.forMemberId);
		}

	}

	record SettingsRequest(boolean townWide) {
	}

	record DispatchRequest(@NotNull @Positive Long memberId) {
	}

	record CompletionRequest(@Size(max = 1000) @Nullable String note,
			@Size(max = 9) @Nullable List<@NotBlank @Size(max = 200) String> photos,
			@Min(0) @Max(24 * 60) @Nullable Integer minutes) {
	}

	record DisputeRequest(@NotBlank @Size(max = 500) String reason) {
	}

	record DecisionRequest(@NotNull Decision.Outcome outcome, @Min(0) @Nullable Long points) {
	}

}
