package org.jifen.api.tasks;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.shared.Sql;
import org.jifen.api.tasks.TaskSlot.State;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

@Repository
class TaskRepository {

	private static final String TASK_COLUMNS = """
			t.id, t.village_id, t.group_id, t.kind_id, t.title, t.description, t.category, t.skills, t.slots,
			t.reward, t.starts_at, t.deadline, t.funding, t.posted_by, t.for_member_id, t.for_household_id,
			t.status, t.created_at,
			(select count(*) from task_slot o where o.task_id = t.id and o.state = 'OPEN') as slots_left""";

	private static final String SLOT_COLUMNS = """
			id, task_id, n, state, volunteer_member_id, volunteer_household_id, grabbed_at, started_at,
			completed_at, confirmed_at, note, photos, minutes, dispute_reason, paid_points, returned_points""";

	private final DatabaseClient database;

	TaskRepository(DatabaseClient database) {
		this.database = database;
	}

	/**
	 * Records a task once per escrow posting (a replayed post reads the first back) with
	 * its open slots.
	 */
	Mono<Task> insert(long villageId, NewTask draft, long kindId, Task.Funding funding, @Nullable Long funderMember,
			@Nullable Long funderHousehold, long postedBy, @Nullable Long forMember, @Nullable Long forHousehold,
			long escrowTransaction, Instant now) {
		var insert = this.database.sql("""
				insert into task (village_id, group_id, kind_id, title, description, category, skills, slots, reward,
				                  starts_at, deadline, funding, funder_member_id, funder_household_id, posted_by,
				                  for_member_id, for_household_id, escrow_transaction, created_at)
				values (:village, :group, :kind, :title, :description, :category, :skills, :slots, :reward, :startsAt,
				        :deadline, :funding, :funderMember, :funderHousehold, :postedBy, :forMember, :forHousehold,
				        :escrow, :now)
				on conflict (escrow_transaction) do nothing
				returning id""")
			.bind("village", villageId)
			.bind("kind", kindId)
			.bind("title", draft.title())
			.bind("category", draft.category())
			.bind("slots", draft.slots())
			.bind("reward", draft.reward())
			.bind("startsAt", utc(draft.startsAt()))
			.bind("deadline", utc(draft.deadline()))
			.bind("funding", funding.name())
			.bind("postedBy", postedBy)
			.bind("escrow", escrowTransaction)
			.bind("now", utc(now));
		insert = Sql.bindNullable(insert, "group", draft.groupId(), Long.class);
		insert = Sql.bindNullable(insert, "description", draft.description(), String.class);
		insert = Sql.bindNullable(insert, "skills", draft.skills(), String.class);
		insert = Sql.bindNullable(insert, "funderMember", funderMember, Long.class);
		insert = Sql.bindNullable(insert, "funderHousehold", funderHousehold, Long.class);
		insert = Sql.bindNullable(insert, "forMember", forMember, Long.class);
		insert = Sql.bindNullable(insert, "forHousehold", forHousehold, Long.class);
		return insert.map((row) -> row.get("id", Long.class))
			.one()
			.flatMap((id) -> this.database
				.sql("insert into task_slot (task_id, n) select :task, generate_series(1, :slots)")
				.bind("task", id)
				.bind("slots", draft.slots())
				.then())
			.then(this.database.sql("select " + TASK_COLUMNS + " from task t where t.escrow_transaction = :escrow")
				.bind("escrow", escrowTransaction)
				.map(TaskRepository::task)
				.one());
	}

	Mono<Task> find(long taskId) {
		return this.database.sql("select " + TASK_COLUMNS + " from task t where t.id = :id")
			.bind("id", taskId)
			.map(TaskRepository::task)
			.one();
	}

	/** Where escrow returns to: the funding and the funder's ids. */
	Mono<Funder> funder(long taskId) {
		return this.database.sql("select funding, funder_member_id, funder_household_id from task where id = :id")
			.bind("id", taskId)
			.map((row) -> new Funder(Task.Funding.valueOf(row.get("funding", String.class)),
					row.get("funder_member_id", Long.class), row.get("funder_household_id", Long.class)))
			.one();
	}

	Flux<TaskSlot> slots(long taskId) {
		return this.database.sql("select " + SLOT_COLUMNS + " from task_slot where task_id = :task order by n")
			.bind("task", taskId)
			.map(TaskRepository::slot)
			.all();
	}

	Mono<TaskSlot> slot(long taskId, int n) {
		return this.database.sql("select " + SLOT_COLUMNS + " from task_slot where task_id = :task and n = :n")
			.bind("task", taskId)
			.bind("n", n)
			.map(TaskRepository::slot)
			.one();
	}

	Mono<TaskSlot> slotOf(long taskId, long memberId) {
		return this.database
			.sql("select " + SLOT_COLUMNS + " from task_slot where task_id = :task and volunteer_member_id = :member")
			.bind("task", taskId)
			.bind("member", memberId)
			.map(TaskRepository::slot)
			.one();
	}

	/**
	 * Takes the first open slot for a volunteer, without waiting: slots other grabs are
	 * taking right now are skipped, so a full task answers at once. Empty when none is
	 * left. The unique (task, volunteer) refuses a second slot to the same volunteer.
	 */
	Mono<TaskSlot> take(long taskId, State to, long memberId, long householdId, Instant now) {
		return this.database.sql("""
				update task_slot set state = :to, volunteer_member_id = :member, volunteer_household_id = :household,
				       grabbed_at = :now
				where id = (select id from task_slot where task_id = :task and state = 'OPEN'
				            order by n limit 1 for update skip locked)
				returning\s""" + SLOT_COLUMNS)
			.bind("to", to.name())
			.bind("member", memberId)
			.bind("household", householdId)
			.bind("now", utc(now))
			.bind("task", taskId)
			.map(TaskRepository::slot)
			.one();
	}

	/**
	 * Moves one slot from one of {@code from} to {@code to}, setting the given columns;
	 * empty when the slot is no longer in such a state (someone else moved it first).
	 */
	Mono<TaskSlot> move(long slotId, List<State> from, State to, SlotChange change) {
		var update = this.database
			.sql("update task_slot set state = :to" + (change.sql().isEmpty() ? "" : ", " + change.sql())
					+ " where id = :id and state = any(:from) returning " + SLOT_COLUMNS)
			.bind("to", to.name())
			.bind("id", slotId)
			.bind("from", from.stream().map(State::name).toArray(String[]::new));
		for (var value : change.values()) {
			update = Sql.bindNullable(update, value.name(), value.value(), value.type());
		}
		return update.map(TaskRepository::slot).one();
	}

	Mono<Task> close(long taskId, Task.Status to, Instant now) {
		return this.database
			.sql("update task set status = :to, closed_at = :now where id = :id and status = 'OPEN' returning id")
			.bind("to", to.name())
			.bind("now", utc(now))
			.bind("id", taskId)
			.map((row) -> row.get("id", Long.class))
			.one()
			.flatMap(this::find);
	}

	/**
	 * Slots grabbed or dispatched but not started by the task's start (or the later grab)
	 * plus the grace.
	 */
	Flux<Long> unstartedPast(Instant cutoff, int limit) {
		return this.database.sql("""
				select s.id from task_slot s join task t on t.id = s.task_id
				where s.state in ('DISPATCHED', 'GRABBED') and greatest(t.starts_at, s.grabbed_at) <= :cutoff
				order by s.id limit :limit""")
			.bind("cutoff", utc(cutoff))
			.bind("limit", limit)
			.map((row) -> row.get("id", Long.class))
			.all();
	}

	/**
	 * Opens a slot again if it is still grabbed or dispatched and unstarted past the
	 * cutoff (another instance, or the volunteer, may have moved it since it was found);
	 * the slot as it was, with its volunteer.
	 */
	Mono<TaskSlot> releaseUnstarted(long slotId, Instant cutoff) {
		return this.database.sql("""
				with before as (
				    select s.* from task_slot s join task t on t.id = s.task_id
				    where s.id = :id and s.state in ('DISPATCHED', 'GRABBED')
				      and greatest(t.starts_at, s.grabbed_at) <= :cutoff
				    for update of s)
				update task_slot u set state = 'OPEN', volunteer_member_id = null, volunteer_household_id = null,
				       grabbed_at = null
				from before where u.id = before.id
				returning\s""" + SLOT_COLUMNS.replaceAll("(\\w+)", "before.$1"))
			.bind("id", slotId)
			.bind("cutoff", utc(cutoff))
			.map(TaskRepository::slot)
			.one();
	}

	Flux<Long> completedBefore(Instant cutoff, int limit) {
		return this.database.sql("""
				select id from task_slot where state = 'COMPLETED' and completed_at <= :cutoff
				order by id limit :limit""")
			.bind("cutoff", utc(cutoff))
			.bind("limit", limit)
			.map((row) -> row.get("id", Long.class))
			.all();
	}

	/**
	 * Tasks past their deadline still open or holding unstarted slots, and tasks past
	 * {@code startedCutoff} still holding started slots.
	 */
	Flux<Long> pastDeadline(Instant now, Instant startedCutoff, int limit) {
		return this.database.sql("""
				select t.id from task t
				where t.deadline <= :now
				  and (t.status = 'OPEN'
				       or exists (select 1 from task_slot s where s.task_id = t.id
				                  and (s.state in ('OPEN', 'DISPATCHED', 'GRABBED')
				                       or (s.state = 'STARTED' and t.deadline <= :startedCutoff))))
				order by t.id limit :limit""")
			.bind("now", utc(now))
			.bind("startedCutoff", utc(startedCutoff))
			.bind("limit", limit)
			.map((row) -> row.get("id", Long.class))
			.all();
	}

	Mono<TaskSlot> slotById(long slotId) {
		return this.database.sql("select " + SLOT_COLUMNS + " from task_slot where id = :id")
			.bind("id", slotId)
			.map(TaskRepository::slot)
			.one();
	}

	/**
	 * Open tasks with a slot left, of the village and of the town's villages that open
	 * their tasks to the town, oldest first after the cursor.
	 */
	Flux<Task> open(long villageId, @Nullable Long townId, @Nullable String category, @Nullable Instant from,
			@Nullable Instant to, Instant now, long afterId, int limit) {
		var select = this.database.sql("select " + TASK_COLUMNS + """
				 from task t
				where t.status = 'OPEN' and t.deadline > :now and t.id > :after
				  and (t.village_id = :village
				       or t.village_id in (select r.id from region r join task_setting s on s.village_id = r.id
				                           where s.town_wide and r.parent_id = :town))
				  and (cast(:category as text) is null or t.category = :category)
				  and (cast(:from as timestamptz) is null or t.starts_at >= :from)
				  and (cast(:to as timestamptz) is null or t.starts_at < :to)
				  and exists (select 1 from task_slot o where o.task_id = t.id and o.state = 'OPEN')
				order by t.id limit :limit""")
			.bind("now", utc(now))
			.bind("after", afterId)
			.bind("village", villageId)
			.bind("limit", limit);
		select = Sql.bindNullable(select, "town", townId, Long.class);
		select = Sql.bindNullable(select, "category", category, String.class);
		select = Sql.bindNullable(select, "from", (from != null) ? utc(from) : null, OffsetDateTime.class);
		select = Sql.bindNullable(select, "to", (to != null) ? utc(to) : null, OffsetDateTime.class);
		return select.map(TaskRepository::task).all();
	}

	/** A volunteer's paid work: slots, minutes and points. */
	Mono<VolunteerHours> hours(long memberId) {
		return this.database.sql("""
				select count(*) as tasks, coalesce(sum(minutes), 0) as minutes, coalesce(sum(paid_points), 0) as points
				from task_slot where volunteer_member_id = :member and state = 'PAID'""")
			.bind("member", memberId)
			.map((row) -> new VolunteerHours(memberId, row.get("tasks", Long.class),
					((Number) row.get("minutes")).longValue(), ((Number) row.get("points")).longValue()))
			.one();
	}

	Mono<Boolean> townWide(long villageId) {
		return this.database.sql("select town_wide from task_setting where village_id = :village")
			.bind("village", villageId)
			.map((row) -> row.get("town_wide", Boolean.class))
			.one()
			.defaultIfEmpty(false);
	}

	Mono<Void> saveTownWide(long villageId, boolean townWide) {
		return this.database.sql("""
				insert into task_setting (village_id, town_wide) values (:village, :townWide)
				on conflict (village_id) do update set town_wide = excluded.town_wide""")
			.bind("village", villageId)
			.bind("townWide", townWide)
			.then();
	}

	/** Where a task's escrow came from. */
	record Funder(Task.Funding funding, @Nullable Long memberId, @Nullable Long householdId) {
	}

	/**
	 * Columns a move sets besides the state, as {@code column = :name} SQL and values.
	 */
	record SlotChange(String sql, List<Value> values) {

		record Value(String name, @Nullable Object value, Class<?> type) {
		}

		static SlotChange of(String sql, Value... values) {
			return new SlotChange(sql, Arrays.asList(values));
		}

		static Value at(String name, Instant instant) {
			return new Value(name, utc(instant), OffsetDateTime.class);
		}

		static Value value(String name, @Nullable Object value, Class<?> type) {
			return new Value(name, value, type);
		}

	}

	static OffsetDateTime utc(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}

	private static @Nullable Instant instant(Readable row, String column) {
		OffsetDateTime time = row.get(column, OffsetDateTime.class);
		return (time != null) ? time.toInstant() : null;
	}

	private static Task task(Readable row) {
		return new Task(row.get("id", Long.class), row.get("village_id", Long.class), row.get("group_id", Long.class),
				row.get("kind_id", Long.class), row.get("title", String.class), row.get("description", String.class),
				row.get("category", String.class), row.get("skills", String.class), row.get("slots", Integer.class),
				row.get("reward", Long.class), instant(row, "starts_at"), instant(row, "deadline"),
				Task.Funding.valueOf(row.get("funding", String.class)), row.get("posted_by", Long.class),
				row.get("for_member_id", Long.class), row.get("for_household_id", Long.class),
				Task.Status.valueOf(row.get("status", String.class)), instant(row, "created_at"),
				row.get("slots_left", Long.class).intValue());
	}

	private static TaskSlot slot(Readable row) {
		String[] photos = row.get("photos", String[].class);
		return new TaskSlot(row.get("id", Long.class), row.get("task_id", Long.class), row.get("n", Integer.class),
				State.valueOf(row.get("state", String.class)), row.get("volunteer_member_id", Long.class),
				row.get("volunteer_household_id", Long.class), instant(row, "grabbed_at"), instant(row, "started_at"),
				instant(row, "completed_at"), instant(row, "confirmed_at"), row.get("note", String.class),
				(photos != null) ? List.of(photos) : List.of(), row.get("minutes", Integer.class),
				row.get("dispute_reason", String.class), row.get("paid_points", Long.class),
				row.get("returned_points", Long.class));
	}

}
