package org.jifen.api.tasks;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.audit.AuditTrail;
import org.jifen.api.identity.Access;
import org.jifen.api.identity.Caller;
import org.jifen.api.ledger.AccountRef;
import org.jifen.api.ledger.Ledger;
import org.jifen.api.ledger.PointKind;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.ledger.Posted;
import org.jifen.api.ledger.Posting;
import org.jifen.api.ledger.SystemRole;
import org.jifen.api.outbox.Outbox;
import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.jifen.api.shared.Masking;
import org.jifen.api.tasks.TaskRepository.SlotChange;
import org.jifen.api.tasks.TaskSlot.State;
import org.jifen.api.village.HouseholdId;
import org.jifen.api.village.MemberHome;
import org.jifen.api.village.MemberId;
import org.jifen.api.village.RegionId;
import org.jifen.api.village.Villages;
import org.jifen.api.web.CursorPage;
import org.jifen.api.web.PageRequest;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * Volunteer order-taking. A posted task's whole reward is moved into the village's escrow
 * of its kind in the posting's transaction; each slot's reward leaves escrow exactly
 * once, paid to its volunteer or returned to the funder, under a request id derived from
 * the slot. Grabs are settled by PostgreSQL: one conditional update of one open slot row.
 * Every step goes to the outbox, which tells the poster and the volunteer.
 */
@Service
public class TaskBoard {

	private static final Logger log = LoggerFactory.getLogger(TaskBoard.class);

	/** Unfinished slots a cancelled or expired task gives back. */
	private static final List<State> UNSTARTED = List.of(State.OPEN, State.DISPATCHED, State.GRABBED);

	/** Slots an expired task gives back once the grace after its deadline is over. */
	private static final List<State> UNFINISHED = List.of(State.OPEN, State.DISPATCHED, State.GRABBED, State.STARTED);

	private final TaskRepository repository;

	private final Villages villages;

	private final Access access;

	private final Ledger ledger;

	private final PointKinds kinds;

	private final Outbox outbox;

	private final AuditTrail auditTrail;

	private final Clock clock;

	private final TaskProperties properties;

	private final TransactionalOperator transactions;

	TaskBoard(TaskRepository repository, Villages villages, Access access, Ledger ledger, PointKinds kinds,
			Outbox outbox, AuditTrail auditTrail, Clock clock, TaskProperties properties,
			TransactionalOperator transactions) {
		this.repository = repository;
		this.villages = villages;
		this.access = access;
		this.ledger = ledger;
		this.kinds = kinds;
		this.outbox = outbox;
		this.auditTrail = auditTrail;
		this.clock = clock;
		this.properties = properties;
		this.transactions = transactions;
	}

	/**
	 * Posts a need and puts its whole reward in escrow, in one transaction: not enough
	 * available points and nothing is written. {@code requestId} (the Idempotency-Key)
	 * makes a retried post the same post.
	 */
	@Transactional
	public Mono<Task> post(Caller caller, RegionId village, NewTask draft, @Nullable String requestId) {
		Instant now = this.clock.instant();
		if (!draft.deadline().isAfter(draft.startsAt()) || !draft.deadline().isAfter(now)) {
			return Mono.error(new DomainException(Kind.MALFORMED, "invalid-task-times",
					"A task's deadline comes after its start, and after now."));
		}
		long total;
		try {
			total = Math.multiplyExact(draft.reward(), draft.slots());
		}
		catch (ArithmeticException ex) {
			return Mono.error(new DomainException(Kind.MALFORMED, "invalid-task-reward", "The reward is too large."));
		}
		Mono<Caller> allowed = draft.fromVillagePool() ? this.access.requireAdmin(caller, village)
				: this.access.requireRead(caller, village);
		// A pool task is nobody's need unless it names one: not the posting admin's.
		Long beneficiary = (draft.forMemberId() != null) ? draft.forMemberId()
				: draft.fromVillagePool() ? null : caller.memberId();
		return allowed.then(this.access.actor(caller, draft.forMemberId()))
			.flatMap((actor) -> this.villages.village(village)
				.then(this.kinds.kindOrDefault(village, (draft.kind() != null) ? draft.kind() : PointKinds.VOLUNTEER))
				.zipWith(
						(beneficiary != null) ? this.villages.memberHome(new MemberId(beneficiary)).map(Beneficiary::of)
								: Mono.just(Beneficiary.NONE))
				.flatMap((kindAndFor) -> {
					PointKind kind = kindAndFor.getT1();
					Beneficiary forWhom = kindAndFor.getT2();
					if (forWhom.home() != null && !forWhom.home().villageId().equals(village)) {
						return Mono
							.error(refused("task-not-of-village", "A need is posted in the villager's own village.",
									Map.of("villageId", village.value())));
					}
					if (!draft.fromVillagePool() && !kind.spendable()) {
						return Mono.error(refused("point-kind-not-spendable",
								"Points of " + kind.code() + " cannot be spent on a task; post from the village pool.",
								Map.of("kind", kind.code())));
					}
					if (!draft.fromVillagePool() && forWhom.home() == null) {
						return Mono.error(refused("task-funder-required",
								"Without the village pool, the reward comes from a villager's own points: name them.",
								Map.of()));
					}
					Task.Funding funding = draft.fromVillagePool() ? Task.Funding.VILLAGE
							: (kind.owner() == PointKind.Owner.MEMBER) ? Task.Funding.MEMBER : Task.Funding.HOUSEHOLD;
					MemberHome home = forWhom.home();
					Long funderMember = (funding == Task.Funding.MEMBER) ? home.memberId().value() : null;
					Long funderHousehold = (funding == Task.Funding.HOUSEHOLD) ? home.householdId().value() : null;
					AccountRef from = funderRef(funding, funderMember, funderHousehold);
					String memo = "志愿任务托管：" + draft.title();
					return this.ledger
						.post(Posting.escrow(village, kind.id(), from, total, memo,
								(requestId != null) ? "task-post-" + caller.userId() + "-" + requestId : null))
						.flatMap((posted) -> this.repository.insert(village.value(), draft, kind.id(), funding,
								funderMember, funderHousehold, caller.userId(),
								(home != null) ? home.memberId().value() : null,
								(home != null) ? home.householdId().value() : null, posted.transactionId(), now))
						.flatMap(
								(task) -> (draft.fromVillagePool() || draft.forMemberId() != null) ? this.auditTrail
									.record(actor, village.value(), "task.posted", "task:" + task.id(), null,
											Map.of("title", task.title(), "slots", task.slots(), "reward",
													task.reward(), "funding", task.funding().name()))
									.thenReturn(task) : Mono.just(task));
				}));
	}

	/** Open tasks with slots left a volunteer of the village may take, oldest first. */
	public Mono<CursorPage<Task>> browse(Caller caller, RegionId village, @Nullable String category,
			@Nullable Instant from, @Nullable Instant to, PageRequest page) {
		return this.access.requireRead(caller, village)
			.then(this.villages.village(village))
			.flatMap((region) -> this.repository
				.open(village.value(), (region.parentId() != null) ? region.parentId().value() : null, category, from,
						to, this.clock.instant(), page.afterId(), page.fetchSize())
				.collectList())
			.map((rows) -> CursorPage.of(rows, page, Task::id));
	}

	/** A task and its slots, for anyone who may take it or oversee it. */
	public Mono<TaskView> view(Caller caller, long taskId) {
		return readable(caller, taskId)
			.flatMap((task) -> this.repository.slots(taskId).collectList().map((slots) -> new TaskView(task, slots)));
	}

	/**
	 * Takes one open slot for the calling villager. Exactly one volunteer per slot, and
	 * at most one slot per volunteer, whatever the storm: both are settled by PostgreSQL.
	 * The checks before it only read, outside the transaction, so a storm holds a
	 * connection only for the update and its event, and a full task is answered without
	 * one.
	 */
	public Mono<TaskSlot> grab(Caller caller, long taskId) {
		Instant now = this.clock.instant();
		return readable(caller, taskId).flatMap((task) -> {
			if (task.slotsLeft() == 0 && task.status() == Task.Status.OPEN) {
				return Mono.error(taken(task));
			}
			return volunteer(caller, task, now).flatMap((home) -> this.repository
				.take(taskId, State.GRABBED, home.memberId().value(), home.householdId().value(), now)
				.onErrorMap(DuplicateKeyException.class, (ex) -> alreadyJoined(task))
				.switchIfEmpty(Mono.error(() -> taken(task)))
				.flatMap((slot) -> tellPoster("task.grabbed", task, slot, Masking.name(home.name())).thenReturn(slot))
				.as(this.transactions::transactional));
		});
	}

	/**
	 * An admin assigns an open slot to a named villager (派单), who accepts or declines.
	 */
	@Transactional
	public Mono<TaskSlot> dispatch(Caller caller, long taskId, long memberId) {
		Instant now = this.clock.instant();
		return task(taskId)
			.flatMap(
					(task) -> this.access.requireAdmin(caller, new RegionId(task.villageId()))
						.then(this.villages.memberHome(new MemberId(memberId)))
						.flatMap((home) -> eligible(home, task, now).then(this.repository
							.take(taskId, State.DISPATCHED, memberId, home.householdId().value(), now)
							.onErrorMap(DuplicateKeyException.class, (ex) -> alreadyJoined(task))
							.switchIfEmpty(Mono.error(() -> taken(task)))))
						.flatMap((slot) -> this.auditTrail
							.record(caller.actor(), task.villageId(), "task.dispatched", "task:" + taskId, null,
									Map.of("slot", slot.n(), "memberId", memberId))
							.then(tell("task.dispatched", task, slot, slot.volunteerHouseholdId(),
									List.of(task.title())))
							.thenReturn(slot)));
	}

	/** The dispatched volunteer takes the slot. */
	@Transactional
	public Mono<TaskSlot> accept(Caller caller, long taskId) {
		return ownSlot(caller, taskId, "accept", List.of(State.DISPATCHED), State.GRABBED, SlotChange.of(""),
				(task, slot) -> tellPoster("task.grabbed", task, slot, caller.name()));
	}

	/** The dispatched volunteer turns the slot down; it is open again. */
	@Transactional
	public Mono<TaskSlot> decline(Caller caller, long taskId) {
		return ownSlot(caller, taskId, "decline", List.of(State.DISPATCHED), State.OPEN, vacated(),
				(task, slot) -> tellPoster("task.released", task, slot));
	}

	/** The volunteer gives the slot back, before the task starts. */
	@Transactional
	public Mono<TaskSlot> release(Caller caller, long taskId) {
		return task(taskId).flatMap((task) -> this.clock.instant().isBefore(task.startsAt())
				? ownSlot(caller, taskId, "release", List.of(State.GRABBED), State.OPEN, vacated(),
						(same, slot) -> tellPoster("task.released", task, slot))
				: Mono.error(new DomainException(Kind.CONFLICT, "task-already-started",
						"The task has started; a slot is given back only before its start.",
						Map.of("taskId", taskId, "startsAt", task.startsAt().toString()))));
	}

	/** The volunteer checks in on the spot. */
	@Transactional
	public Mono<TaskSlot> checkIn(Caller caller, long taskId) {
		Instant now = this.clock.instant();
		return ownSlot(caller, taskId, "check-in", List.of(State.GRABBED), State.STARTED,
				SlotChange.of("started_at = :now", SlotChange.at("now", now)),
				(task, slot) -> tellPoster("task.started", task, slot));
	}

	/**
	 * The volunteer reports the work done, with a note, photo references and, if they
	 * declare them, the minutes worked (otherwise from check-in to now).
	 */
	@Transactional
	public Mono<TaskSlot> complete(Caller caller, long taskId, Completion completion) {
		Instant now = this.clock.instant();
		return task(taskId).flatMap((task) -> mine(caller, task).flatMap((slot) -> {
			Integer minutes = (completion.minutes() != null) ? completion.minutes()
					: (slot.startedAt() != null) ? (int) Duration.between(slot.startedAt(), now).toMinutes() : null;
			return moved(task, slot, "complete", List.of(State.STARTED), State.COMPLETED,
					SlotChange.of("completed_at = :now, note = :note, photos = :photos, minutes = :minutes",
							SlotChange.at("now", now), SlotChange.value("note", completion.note(), String.class),
							SlotChange.value("photos", completion.photos().toArray(String[]::new), String[].class),
							SlotChange.value("minutes", minutes, Integer.class)))
				.flatMap((done) -> tellPoster("task.completed", task, done).thenReturn(done));
		}));
	}

	/**
	 * The poster (or an admin) confirms a completion: escrow pays the volunteer. Never
	 * the volunteer or someone of their household.
	 */
	@Transactional
	public Mono<TaskSlot> confirm(Caller caller, long taskId, int n) {
		Instant now = this.clock.instant();
		return posterOrAdmin(caller, taskId)
			.flatMap((task) -> slot(task, n).flatMap((slot) -> impartial(caller, task, slot, false)
				.then(Mono.defer(() -> pay(task, slot, List.of(State.COMPLETED), now)))));
	}

	/**
	 * The poster (or an admin) disputes a completion; a reviewer decides. Never the
	 * volunteer or someone of their household.
	 */
	@Transactional
	public Mono<TaskSlot> dispute(Caller caller, long taskId, int n, String reason) {
		return posterOrAdmin(caller, taskId)
			.flatMap((task) -> slot(task, n)
				.flatMap((slot) -> impartial(caller, task, slot, false)
					.then(Mono.defer(() -> moved(task, slot, "dispute", List.of(State.COMPLETED), State.DISPUTED,
							SlotChange.of("dispute_reason = :reason",
									SlotChange.value("reason", reason, String.class))))))
				.flatMap((slot) -> tell("task.disputed", task, slot, slot.volunteerHouseholdId(),
						List.of(task.title(), reason))
					.thenReturn(slot)));
	}

	/**
	 * A reviewer decides a disputed completion: pay in full, pay {@code points} and
	 * return the rest, or return it all to the funder. Never a reviewer of the poster's
	 * or the volunteer's household.
	 */
	@Transactional
	public Mono<TaskSlot> decide(Caller caller, long taskId, int n, Decision decision) {
		Instant now = this.clock.instant();
		return task(taskId).flatMap((task) -> this.access.requireReviewer(caller, new RegionId(task.villageId()))
			.then(slot(task, n))
			.flatMap((slot) -> impartial(caller, task, slot, true).then(Mono.defer(() -> {
				long paid = switch (decision.outcome()) {
					case PAY -> task.reward();
					case RETURN -> 0;
					case PARTIAL -> (decision.points() != null) ? decision.points() : -1;
				};
				if (paid < 0 || paid > task.reward()) {
					return Mono.error(new DomainException(Kind.MALFORMED, "invalid-decision-points",
							"A partial payment is between 0 and the slot's reward, " + task.reward() + ".",
							Map.of("reward", task.reward())));
				}
				return settle(task, slot, "decide", List.of(State.DISPUTED), paid, now)
					.flatMap((settled) -> ((paid == 0)
							? tell("task.unpaid", task, settled, settled.volunteerHouseholdId(), List.of(task.title()))
							: Mono.<Long>empty())
						.thenReturn(settled))
					.flatMap((settled) -> this.auditTrail
						.record(caller.actor(), task.villageId(), "task.dispute-decided", "task:" + taskId, null,
								Map.of("slot", n, "outcome", decision.outcome().name(), "paid", paid))
						.thenReturn(settled));
			}))));
	}

	/**
	 * The poster (or an admin) cancels a task: no more grabs, and every slot not yet
	 * started returns its reward to the funder. Started work carries on to payment.
	 */
	@Transactional
	public Mono<Task> cancel(Caller caller, long taskId) {
		Instant now = this.clock.instant();
		return posterOrAdmin(caller, taskId)
			.flatMap((task) -> this.repository.close(taskId, Task.Status.CANCELLED, now)
				.switchIfEmpty(Mono.error(() -> closed(task)))
				.flatMap((cancelled) -> returnSlots(cancelled, UNSTARTED, "task.cancelled", now)
					.then(this.auditTrail.record(caller.actor(), task.villageId(), "task.cancelled", "task:" + taskId,
							null, Map.of("title", task.title())))
					.then(this.repository.find(taskId))));
	}

	/**
	 * The scheduler's round at {@code now}: grabbed slots not started by their start (or
	 * grab) plus the grace are released, completions waiting longer than the auto-confirm
	 * time are confirmed and paid, and tasks past their deadline expire, returning what
	 * was not earned. Each item is its own transaction under a condition, so any number
	 * of instances may run this at once. The number of items moved.
	 */
	public Mono<Long> runDue(Instant now) {
		Mono<Long> released = this.repository.unstartedPast(now.minus(this.properties.releaseGrace()), 500)
			.concatMap((slotId) -> guarded("release", slotId, autoRelease(slotId, now)))
			.count();
		Mono<Long> confirmed = this.repository.completedBefore(now.minus(this.properties.autoConfirmAfter()), 500)
			.concatMap((slotId) -> guarded("confirm", slotId, this.repository.slotById(slotId)
				.flatMap(
						(slot) -> task(slot.taskId()).flatMap((task) -> pay(task, slot, List.of(State.COMPLETED), now)))
				.onErrorResume(TaskBoard::movedMeanwhile, (ex) -> Mono.empty())))
			.count();
		Mono<Long> expired = this.repository.pastDeadline(now, startedCutoff(now), 500)
			.concatMap((taskId) -> guarded("expire", taskId, expire(taskId, now)))
			.count();
		// One job after the other: each sees what the previous one moved.
		return released.flatMap((r) -> confirmed.flatMap((c) -> expired.map((e) -> r + c + e)));
	}

	private <T> Mono<T> guarded(String job, long id, Mono<T> work) {
		return work.as(this.transactions::transactional).onErrorResume((error) -> {
			// One item that cannot move must not stop the rest; the next round retries
			// it.
			log.error("Task job {} failed for {}", job, id, error);
			return Mono.empty();
		});
	}

	private Mono<TaskSlot> autoRelease(long slotId, Instant now) {
		return this.repository.releaseUnstarted(slotId, now.minus(this.properties.releaseGrace()))
			.flatMap((before) -> task(before.taskId()).flatMap((task) -> tellPoster("task.released", task, before)
				.then(tell("task.auto-released", task, before, before.volunteerHouseholdId(), List.of(task.title())))
				.thenReturn(before)));
	}

	/**
	 * Closes a task past its deadline and returns its unstarted slots; started work
	 * returns only once the grace after the deadline is over too, so a volunteer who
	 * checked in before the deadline may still report it done.
	 */
	private Mono<Task> expire(long taskId, Instant now) {
		return this.repository.close(taskId, Task.Status.EXPIRED, now)
			.flatMap((task) -> tell("task.expired", task, null, task.forHouseholdId(), List.of(task.title()))
				.thenReturn(task))
			.then(this.repository.find(taskId))
			.flatMap((task) -> returnSlots(task, task.deadline().isAfter(startedCutoff(now)) ? UNSTARTED : UNFINISHED,
					"task.cancelled", now)
				.thenReturn(task));
	}

	/**
	 * Tasks whose deadline is before this have their started slots returned: the grace is
	 * the auto-confirm time, as long as a poster has to confirm.
	 */
	private Instant startedCutoff(Instant now) {
		return now.minus(this.properties.autoConfirmAfter());
	}

	/** A volunteer's paid work so far. */
	public Mono<VolunteerHours> hours(MemberId member) {
		return this.villages.memberHome(member)
			.flatMap((home) -> this.access.requireRead(home.villageId()))
			.then(this.repository.hours(member.value()));
	}

	/** Whether volunteers of the whole town see and take the village's tasks. */
	@Transactional
	public Mono<Boolean> openToTown(Caller caller, RegionId village, boolean townWide) {
		return this.access.requireAdmin(caller, village)
			.then(this.villages.village(village))
			.then(this.repository.saveTownWide(village.value(), townWide))
			.then(this.auditTrail.record(caller.actor(), village.value(), "task-setting.changed",
					"village:" + village.value(), null, Map.of("townWide", townWide)))
			.thenReturn(townWide);
	}

	private Mono<Void> returnSlots(Task task, List<State> states, String event, Instant now) {
		return this.repository.slots(task.id())
			.filter((slot) -> states.contains(slot.state()))
			.concatMap((slot) -> settle(task, slot, "return", states, 0, now)
				.flatMap((returned) -> (slot.volunteerHouseholdId() != null)
						? tell(event, task, slot, slot.volunteerHouseholdId(), List.of(task.title()))
						: Mono.<Long>empty())
				.onErrorResume(TaskBoard::movedMeanwhile, (ex) -> Mono.empty()))
			.then();
	}

	/**
	 * A slot someone else moved since it was read: skipped. Any other refusal (the
	 * ledger's, say) fails the whole change, so that no slot is marked settled without
	 * its posting.
	 */
	private static boolean movedMeanwhile(Throwable error) {
		return error instanceof DomainException refused && "illegal-task-transition".equals(refused.type());
	}

	private Mono<TaskSlot> pay(Task task, TaskSlot slot, List<State> from, Instant now) {
		return settle(task, slot, "confirm", from, task.reward(), now)
			.flatMap((paid) -> tell("task.confirmed", task, paid, paid.volunteerHouseholdId(), List.of(task.title()))
				.thenReturn(paid));
	}

	/**
	 * Moves a slot to PAID (or RETURNED when nothing is paid) under a condition on its
	 * state, then moves its reward out of escrow: {@code paid} to the volunteer, the rest
	 * back to the funder. The request ids are the slot's, so each posts once.
	 */
	private Mono<TaskSlot> settle(Task task, TaskSlot slot, String action, List<State> from, long paid, Instant now) {
		long returned = task.reward() - paid;
		boolean confirming = from.contains(State.COMPLETED) && paid > 0;
		State to = (paid > 0) ? State.PAID : State.RETURNED;
		SlotChange change = SlotChange.of(
				"paid_points = :paid, returned_points = :returned, settled_at = :now"
						+ (confirming ? ", confirmed_at = :now" : ""),
				SlotChange.value("paid", paid, Long.class), SlotChange.value("returned", returned, Long.class),
				SlotChange.at("now", now));
		RegionId village = new RegionId(task.villageId());
		String memo = "志愿任务：" + task.title();
		return moved(task, slot, action, from, to, change).flatMap((settled) -> kind(task).flatMap((kind) -> {
			Mono<Void> pay = Mono.empty();
			if (paid > 0) {
				AccountRef volunteer = (kind.owner() == PointKind.Owner.MEMBER)
						? new AccountRef.Member(new MemberId(settled.volunteerMemberId()))
						: AccountRef.household(new HouseholdId(settled.volunteerHouseholdId()));
				pay = payVolunteer(village, kind, volunteer, new MemberId(settled.volunteerMemberId()), paid, memo,
						"task-slot-" + slot.id() + "-pay")
					.then(tell("task.paid", task, settled, settled.volunteerHouseholdId(), List.of(task.title(), paid)))
					.then();
			}
			Mono<Void> giveBack = (returned > 0) ? this.repository.funder(task.id())
				.flatMap((funder) -> this.ledger.post(Posting.escrowReturn(village, kind.id(),
						funderRef(funder.funding(), funder.memberId(), funder.householdId()), returned, memo + "（退回）",
						"task-slot-" + slot.id() + "-return")))
				.then() : Mono.empty();
			return pay.then(giveBack).thenReturn(settled);
		}));
	}

	/**
	 * Pays a volunteer from the task village's escrow into their account in their home
	 * village. A town volunteer from another village is paid in two postings of the same
	 * transaction, out of escrow to issuance here and from issuance to them at home,
	 * posted in the order of the villages' ids so that two payments crossing between the
	 * same villages lock the villages' journals in the same order.
	 */
	private Mono<Void> payVolunteer(RegionId village, PointKind kind, AccountRef volunteer, MemberId member, long paid,
			String memo, String requestId) {
		return this.villages.memberHome(member).flatMap((home) -> {
			if (home.villageId().equals(village)) {
				return this.ledger.post(Posting.taskPay(village, kind.id(), volunteer, paid, memo, requestId)).then();
			}
			Mono<Posted> out = this.ledger.post(Posting.taskPayOut(village, kind.id(), paid, memo, requestId + "-out"));
			Mono<Posted> in = this.ledger
				.post(Posting.taskPayIn(home.villageId(), kind.id(), volunteer, paid, memo, requestId + "-in"));
			return (village.value() < home.villageId().value()) ? out.then(in).then() : in.then(out).then();
		});
	}

	private Mono<PointKind> kind(Task task) {
		return this.kinds.kindsOf(new RegionId(task.villageId()))
			.filter((kind) -> kind.id() == task.kindId())
			.next()
			.switchIfEmpty(Mono.error(() -> new IllegalStateException("Task " + task.id() + " has no kind")));
	}

	private static AccountRef funderRef(Task.Funding funding, @Nullable Long member, @Nullable Long household) {
		return switch (funding) {
			case VILLAGE -> AccountRef.system(SystemRole.ISSUANCE);
			case MEMBER -> new AccountRef.Member(new MemberId(member));
			case HOUSEHOLD -> AccountRef.household(new HouseholdId(household));
		};
	}

	/**
	 * A volunteer action on the caller's own slot: moved from one of {@code from} to
	 * {@code to} under that condition, then told.
	 */
	private Mono<TaskSlot> ownSlot(Caller caller, long taskId, String action, List<State> from, State to,
			SlotChange change, Announcement announcement) {
		return task(taskId)
			.flatMap((task) -> mine(caller, task).flatMap((slot) -> moved(task, slot, action, from, to, change))
				.flatMap((moved) -> announcement.tell(task, moved).thenReturn(moved)));
	}

	/** The caller's slot of the task, once the caller may see the task at all. */
	private Mono<TaskSlot> mine(Caller caller, Task task) {
		return readable(caller, task.id())
			.then((caller.memberId() != null) ? this.repository.slotOf(task.id(), caller.memberId()) : Mono.empty())
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.NOT_FOUND, "task-slot-not-found",
					"You hold no slot of task " + task.id() + ".", Map.of("taskId", task.id()))));
	}

	private Mono<TaskSlot> slot(Task task, int n) {
		return this.repository.slot(task.id(), n)
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.NOT_FOUND, "task-slot-not-found",
					"Task " + task.id() + " has no slot " + n + ".", Map.of("taskId", task.id(), "slot", n))));
	}

	/** The conditional move, or a 409 naming the slot's state when it is not allowed. */
	private Mono<TaskSlot> moved(Task task, TaskSlot slot, String action, List<State> from, State to,
			SlotChange change) {
		Mono<TaskSlot> refused = Mono.defer(() -> this.repository.slotById(slot.id())
			.flatMap((now) -> Mono.error(new DomainException(Kind.CONFLICT, "illegal-task-transition",
					"A slot that is " + now.state() + " cannot " + action + ".",
					Map.of("taskId", task.id(), "slot", slot.n(), "state", now.state().name(), "action", action)))));
		return this.repository.move(slot.id(), from, to, change).switchIfEmpty(refused);
	}

	/** Columns that forget the volunteer when a slot is open again. */
	private static SlotChange vacated() {
		return SlotChange.of("volunteer_member_id = null, volunteer_household_id = null, grabbed_at = null");
	}

	private Mono<Task> task(long taskId) {
		return this.repository.find(taskId)
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.NOT_FOUND, "task-not-found",
					"There is no task " + taskId + ".", Map.of("taskId", taskId))));
	}

	/**
	 * The task, if the caller may see it: anyone of its village (or above), and the
	 * villagers of its town where the village opens its tasks to the town.
	 */
	private Mono<Task> readable(Caller caller, long taskId) {
		return task(taskId).flatMap((task) -> {
			RegionId village = new RegionId(task.villageId());
			return this.access.requireRead(caller, village)
				.thenReturn(task)
				.onErrorResume(
						(error) -> error instanceof DomainException refusal && refusal.kind() == Kind.FORBIDDEN
								&& caller.memberId() != null,
						(error) -> sameTown(new MemberId(caller.memberId()), task)
							.flatMap((same) -> same ? Mono.just(task) : Mono.error(error)));
		});
	}

	private Mono<Boolean> sameTown(MemberId member, Task task) {
		return this.repository.townWide(task.villageId())
			.flatMap((townWide) -> !townWide ? Mono.just(false)
					: this.villages.memberHome(member)
						.flatMap((home) -> this.villages.region(home.villageId())
							.zipWith(this.villages.region(new RegionId(task.villageId())))
							.map((both) -> both.getT1().parentId() != null
									&& both.getT1().parentId().equals(both.getT2().parentId()))));
	}

	/** The calling villager, if they may take a slot of this task now. */
	private Mono<MemberHome> volunteer(Caller caller, Task task, Instant now) {
		if (caller.memberId() == null) {
			return Mono.error(refused("volunteer-not-a-villager", "Slots are taken by villagers.", Map.of()));
		}
		return this.villages.memberHome(new MemberId(caller.memberId()))
			.flatMap((home) -> eligible(home, task, now).thenReturn(home));
	}

	/**
	 * A villager may take a slot of an open task, not of their own household's need (its
	 * reward would come back to the household, with score).
	 */
	private Mono<Void> eligible(MemberHome home, Task task, Instant now) {
		if (task.status() != Task.Status.OPEN || !now.isBefore(task.deadline())) {
			return Mono.error(closed(task));
		}
		if ((task.forMemberId() != null && task.forMemberId() == home.memberId().value())
				|| (task.forHouseholdId() != null && task.forHouseholdId() == home.householdId().value())) {
			return Mono.error(refused("own-task", "A villager does not take a need of their own household.",
					Map.of("taskId", task.id())));
		}
		return home.villageId().value() == task.villageId() ? Mono.empty()
				: sameTown(home.memberId(), task)
					.flatMap((same) -> same ? Mono.<Void>empty() : Mono.error(refused("volunteer-not-eligible",
							"The task is for volunteers of its own village.", Map.of("taskId", task.id()))));
	}

	/**
	 * The task, if the caller posted it (or it was posted for them) or administers it.
	 */
	private Mono<Task> posterOrAdmin(Caller caller, long taskId) {
		return task(taskId).flatMap((task) -> (caller.userId() == task.postedBy()
				|| (caller.memberId() != null && caller.memberId().equals(task.forMemberId()))) ? Mono.just(task)
						: this.access.requireAdmin(caller, new RegionId(task.villageId())).thenReturn(task));
	}

	/**
	 * Nobody judges their own household's work: not the volunteer, nor anyone of their
	 * household. A reviewer ({@code withTheNeed}) does not judge their own household's
	 * need either, where the poster of a need confirms or disputes the work done for it.
	 */
	private Mono<Void> impartial(Caller caller, Task task, TaskSlot slot, boolean withTheNeed) {
		if (caller.memberId() == null) {
			return Mono.empty();
		}
		return this.villages.memberHome(new MemberId(caller.memberId())).flatMap((home) -> {
			long own = home.householdId().value();
			boolean involved = (withTheNeed && task.forHouseholdId() != null && task.forHouseholdId() == own)
					|| caller.memberId().equals(slot.volunteerMemberId())
					|| (slot.volunteerHouseholdId() != null && slot.volunteerHouseholdId() == own);
			return involved
					? Mono.error(new DomainException(Kind.FORBIDDEN, "conflict-of-interest",
							"You cannot judge work or a need of your own household.", Map.of("taskId", task.id())))
					: Mono.empty();
		});
	}

	private Mono<Long> tellPoster(String type, Task task, TaskSlot slot, Object... more) {
		List<Object> arguments = new java.util.ArrayList<>();
		arguments.add(task.title());
		arguments.addAll(List.of(more));
		return tell(type, task, slot, task.forHouseholdId(), arguments);
	}

	/**
	 * An event for one household's members (nothing when there is no household to tell).
	 */
	private Mono<Long> tell(String type, Task task, @Nullable TaskSlot slot, @Nullable Long householdId,
			List<Object> arguments) {
		Map<String, Object> payload = new LinkedHashMap<>();
		payload.put("taskId", task.id());
		if (slot != null) {
			payload.put("slot", slot.n());
			payload.put("volunteerMemberId", slot.volunteerMemberId());
		}
		if (householdId != null) {
			payload.put("householdId", householdId);
			payload.put("arguments", arguments);
		}
		return this.outbox.append(type, new RegionId(task.villageId()), payload);
	}

	private static DomainException taken(Task task) {
		return new DomainException(Kind.CONFLICT, "task-already-taken",
				"Every slot of task " + task.id() + " is taken.", Map.of("taskId", task.id(), "slots", task.slots()));
	}

	private static DomainException alreadyJoined(Task task) {
		return new DomainException(Kind.CONFLICT, "task-already-joined",
				"You already hold a slot of task " + task.id() + ".", Map.of("taskId", task.id()));
	}

	private static DomainException closed(Task task) {
		return new DomainException(Kind.CONFLICT, "task-closed", "Task " + task.id() + " takes no more volunteers.",
				Map.of("taskId", task.id(), "taskStatus", task.status().name()));
	}

	private static DomainException refused(String type, String message, Map<String, Object> arguments) {
		return new DomainException(Kind.REFUSED, type, message, arguments);
	}

	/** What a step tells, once its slot moved. */
	@FunctionalInterface
	private interface Announcement {

		Mono<Long> tell(Task task, TaskSlot slot);

	}

	/** Whom a need is for, if anyone. */
	private record Beneficiary(@Nullable MemberHome home) {

		static final Beneficiary NONE = new Beneficiary(null);

		static Beneficiary of(MemberHome home) {
			return new Beneficiary(home);
		}

	}

	/** A task with its slots. */
	public record TaskView(Task task, List<TaskSlot> slots) {

		public TaskView {
			slots = List.copyOf(slots);
		}

	}

	/** A volunteer's report of the work done. */
	public record Completion(@Nullable String note, List<String> photos, @Nullable Integer minutes) {

		public Completion {
			photos = List.copyOf(photos);
		}

	}

	/** A reviewer's decision on a disputed completion. */
	public record Decision(Outcome outcome, @Nullable Long points) {

		public enum Outcome {

			PAY, PARTIAL, RETURN

		}

	}

}
