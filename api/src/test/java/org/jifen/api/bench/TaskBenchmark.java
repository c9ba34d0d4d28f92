package org.jifen.api.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

import org.jifen.api.embedded.EmbeddedPostgres;
import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Caller;
import org.jifen.api.identity.Grant;
import org.jifen.api.identity.Role;
import org.jifen.api.tasks.NewTask;
import org.jifen.api.tasks.TaskBoard;
import org.jifen.api.village.MemberId;
import org.jifen.api.village.NewHousehold;
import org.jifen.api.village.Region;
import org.jifen.api.village.RegionId;
import org.jifen.api.village.RegionLevel;
import org.jifen.api.village.Villages;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The task grab benchmark (a command, not a test):
 * {@code ./mvnw -pl api -am -Pbench verify -Dbench.main=org.jifen.api.bench.TaskBenchmark}.
 * {@value #VOLUNTEERS_DEFAULT} signed-in villagers of one village (registered here, or
 * the first village of the {@link SharedDataSet}'s county) grab back to back, each wave
 * of requests storming one task of a few slots (so most answers are task-already-taken,
 * as in a real storm), and then a full task. Baselines in the same run: an empty HTTP
 * endpoint under the same 200 clients, and pgbench running the grab's conditional UPDATE
 * (SKIP LOCKED) as one committed transaction. Writes {@code api/target/bench/tasks.md}.
 */
public final class TaskBenchmark {

	private static final int VOLUNTEERS_DEFAULT = 200;

	private static final int VOLUNTEERS = Integer.getInteger("bench.volunteers", VOLUNTEERS_DEFAULT);

	private static final int SLOTS = Integer.getInteger("bench.task-slots", 10);

	private static final int TASKS = Integer.getInteger("bench.tasks", 400);

	/** pgbench's clients: the application's connection pool size. */
	private static final int DATABASE_CLIENTS = 20;

	private static final Duration RUN = Duration.ofSeconds(Long.getLong("bench.seconds", 20));

	private TaskBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		Pgbench.requireInstalled();
		// The deadline jobs stay out of the way of what is measured.
		BenchApplication.run(Map.of("jifen.tasks.interval", "PT24H", "jifen.claims.deadline-interval", "PT24H"),
				(started) -> new Run(started.app(), started.postgres(), started.load(), started.work()).all());
	}

	/** One run: the village, the volunteers, the measurements and the report. */
	private static final class Run {

		private final ConfigurableApplicationContext app;

		private final EmbeddedPostgres postgres;

		private final LoadGenerator load;

		private final Path work;

		private final HttpClient http;

		private final List<String[]> rows = new ArrayList<>();

		private final List<String> tokens = new ArrayList<>();

		private final List<Long> tasks = new ArrayList<>();

		private final List<String> notes = new ArrayList<>();

		private Region village;

		private long firstMember;

		private long baselineTask;

		private String loadAtStart;

		Run(ConfigurableApplicationContext app, EmbeddedPostgres postgres, LoadGenerator load, Path work) {
			this.app = app;
			this.postgres = postgres;
			this.load = load;
			this.work = work;
			int port = BenchApplication.port(app);
			this.http = load.client(port);
		}

		void all() throws Exception {
			this.loadAtStart = loadAverage();
			village();
			grabs();
			report();
		}

		/**
		 * A village of {@link #VOLUNTEERS} signed-in villagers (the shared county's first
		 * village, or one registered here), {@link #TASKS} village tasks of
		 * {@link #SLOTS} slots, and one large task for pgbench.
		 */
		private void village() throws Exception {
			List<Long> members = new ArrayList<>();
			if (BenchApplication.onSharedData()) {
				try (Connection connection = BenchApplication.jdbc(this.postgres)) {
					String village = SharedDataSet.countyVillages(connection, 1);
					this.village = this.app.getBean(Villages.class)
						.region(new RegionId(Long.parseLong(village)))
						.block();
					SharedDataSet.members(connection, village, VOLUNTEERS).forEach((member) -> members.add(member[1]));
				}
				if (members.size() < VOLUNTEERS) {
					throw new IllegalStateException("The shared village has " + members.size()
							+ " households, fewer than " + VOLUNTEERS + " volunteers");
				}
			}
			else {
				registerVillage();
				try (Connection connection = BenchApplication.jdbc(this.postgres);
						var rows = connection.createStatement().executeQuery("""
								select m.id from member m join household h on h.id = m.household_id
								where h.village_id = %d order by m.id""".formatted(this.village.id().value()))) {
					while (rows.next()) {
						members.add(rows.getLong(1));
					}
				}
			}
			// pgbench's volunteers: members from the lowest id up.
			this.firstMember = Collections.min(members);
			Accounts accounts = this.app.getBean(Accounts.class);
			this.tokens.addAll(Flux.range(0, VOLUNTEERS)
				.flatMapSequential((i) -> accounts
					.bindVillager("dev-openid-volunteer" + i, new MemberId(members.get(i)), List.of())
					.then(signIn("volunteer" + i)), 16)
				.collectList()
				.block());
			long adminId = accounts
				.createStaff("bench-admin", "村管理员", "bench-password",
						List.of(Grant.inRegion(Role.VILLAGE_ADMIN, this.village.id().value())))
				.block();
			Caller admin = new Caller(adminId, null, "bench-admin",
					List.of(Grant.inRegion(Role.VILLAGE_ADMIN, this.village.id().value())));
			TaskBoard board = this.app.getBean(TaskBoard.class);
			Instant now = Instant.now();
			this.tasks.addAll(Flux.range(0, TASKS)
				.concatMap((i) -> board.post(admin, this.village.id(), task("秋收帮忙 " + i, SLOTS, now), null))
				.map((task) -> task.id())
				.collectList()
				.block());
			this.baselineTask = board.post(admin, this.village.id(), task("pgbench", 100, now), null).block().id();
		}

		/**
		 * A village of {@link #VOLUNTEERS} households registered through the application.
		 */
		private void registerVillage() {
			Villages villages = this.app.getBean(Villages.class);
			Region county = villages.createRegion(null, RegionLevel.COUNTY, "bench-county", "测试县").block();
			Region town = villages.createRegion(county.id(), RegionLevel.TOWN, "bench-town", "测试镇").block();
			this.village = villages.createRegion(town.id(), RegionLevel.VILLAGE, "bench-village", "测试村").block();
			List<NewHousehold> households = new ArrayList<>();
			for (int i = 0; i < VOLUNTEERS; i++) {
				households.add(new NewHousehold(null, String.format(Locale.ROOT, "%04d", i), "志愿者" + i, null,
						List.of(new NewHousehold.NewMember("志愿者" + i, "户主", 1980))));
			}
			villages.registerHouseholds(this.village.id(), households).block();
		}

		private static NewTask task(String title, int slots, Instant now) {
			return new NewTask(title, null, "农忙互助", null, slots, 5, now.plus(Duration.ofHours(2)),
					now.plus(Duration.ofDays(1)), null, null, true, null);
		}

		private Mono<String> signIn(String name) {
			return BenchApplication.villagerToken(this.http, name);
		}

		/**
		 * Request {@code i} is volunteer {@code i % VOLUNTEERS} grabbing task
		 * {@code i / VOLUNTEERS}: each wave of 200 storms one task. A 409
		 * task-already-taken is a right answer, counted apart, not a failure.
		 */
		private LoadGenerator.Request grab(AtomicInteger won, AtomicInteger taken, boolean full) {
			return (i) -> {
				long task = full ? this.tasks.getFirst()
						: this.tasks.get(Math.min(i / VOLUNTEERS, this.tasks.size() - 1));
				return this.http
					.headers((headers) -> headers.set(HttpHeaderNames.AUTHORIZATION,
							"Bearer " + this.tokens.get(i % VOLUNTEERS)))
					.post()
					.uri("/api/v1/tasks/" + task + "/grab")
					.responseSingle((response, body) -> body.asString().defaultIfEmpty("").map((text) -> {
						int status = response.status().code();
						if (status == 200) {
							won.incrementAndGet();
						}
						if (status == 409
								&& (text.contains("task-already-taken") || text.contains("task-already-joined"))) {
							taken.incrementAndGet();
							return 200;
						}
						return status;
					}));
			};
		}

		private void grabs() throws Exception {
			DisposableServer empty = HttpServer.create()
				.host("127.0.0.1")
				.port(0)
				.handle((request, response) -> response.header(HttpHeaderNames.CONTENT_TYPE, "application/json")
					.sendString(Mono.just("{}")))
				.bindNow();
			try {
				HttpClient emptyClient = this.load.client(empty.port());
				LoadGenerator.Request nothing = (i) -> emptyClient.post()
					.uri("/")
					.responseSingle((response,
							body) -> body.asString().defaultIfEmpty("").thenReturn(response.status().code()));
				this.load.closedLoop("warm-up", VOLUNTEERS, Duration.ofSeconds(3), nothing);
				LoadGenerator.Result emptyFull = this.load.closedLoop("empty HTTP endpoint", VOLUNTEERS, RUN, nothing);

				// Warm up on the last tasks, then storm from the first.
				AtomicInteger ignored = new AtomicInteger();
				int warmFrom = (this.tasks.size() - 5) * VOLUNTEERS;
				this.load.closedLoop("warm-up", VOLUNTEERS, 5 * VOLUNTEERS,
						(i) -> grab(ignored, ignored, false).apply(warmFrom + i));
				AtomicInteger won = new AtomicInteger();
				AtomicInteger taken = new AtomicInteger();
				LoadGenerator.Result storm = this.load.closedLoop("grab, storming " + SLOTS + "-slot tasks", VOLUNTEERS,
						RUN, grab(won, taken, false));
				int tasksStormed = (int) Math.min(this.tasks.size() - 5,
						(storm.requests() + VOLUNTEERS - 1) / VOLUNTEERS);
				this.notes.add(String.format(Locale.ROOT,
						"Storm: %d grabs over %d tasks → %d slots taken (at most %d × %d = %d), %d answered task-already-taken.",
						storm.requests(), tasksStormed, won.get(), tasksStormed, SLOTS, tasksStormed * SLOTS,
						taken.get()));
				AtomicInteger wonFull = new AtomicInteger();
				AtomicInteger takenFull = new AtomicInteger();
				LoadGenerator.Result full = this.load.closedLoop("grab of a full task (409 at once)", VOLUNTEERS, RUN,
						grab(wonFull, takenFull, true));
				LoadGenerator.Result raw = pgbench().run("pgbench: the grab's conditional UPDATE, committed",
						grabScript(), Map.of("task", this.baselineTask, "mmin", this.firstMember), DATABASE_CLIENTS, 0,
						RUN);
				String scenario = "Grab, " + VOLUNTEERS + " concurrent volunteers";
				row(scenario, storm, emptyFull);
				row(scenario, full, emptyFull);
				row(scenario, emptyFull, emptyFull);
				row(scenario, raw, emptyFull);
				this.rows.add(new String[] { scenario, "storm grabs ÷ pgbench grab UPDATE", "", "", "", "", "", "",
						String.format(Locale.ROOT, "%.2f", storm.throughput() / raw.throughput()) });
				verifyOneVolunteerPerSlot();
			}
			finally {
				empty.disposeNow();
			}
		}

		/**
		 * The storm's answer checked after the fact: no slot twice, no volunteer twice.
		 */
		private void verifyOneVolunteerPerSlot() throws Exception {
			try (Connection connection = BenchApplication.jdbc(this.postgres);
					var rows = connection.createStatement().executeQuery("""
							select count(*) filter (where state <> 'OPEN'),
							       count(distinct (task_id, volunteer_member_id)) filter (where state <> 'OPEN'),
							       (select count(*) from task t where (select count(*) from task_slot s
							            where s.task_id = t.id and s.state <> 'OPEN') > t.slots)
							from task_slot""")) {
				rows.next();
				this.notes.add(String.format(Locale.ROOT,
						"After the run: %d slots taken by %d distinct (task, volunteer) pairs; tasks over their slots: %d.",
						rows.getLong(1), rows.getLong(2), rows.getLong(3)));
			}
		}

		private Pgbench pgbench() {
			return new Pgbench("127.0.0.1", this.postgres.port(), this.postgres.user(), "jifen_bench", this.work);
		}

		private void row(String scenario, LoadGenerator.Result result, LoadGenerator.Result baseline) {
			this.rows.add(BenchApplication.row(scenario, result, baseline, 2));
		}

		private void report() throws Exception {
			StringBuilder table = new StringBuilder();
			table.append("# Task grab benchmark\n\n")
				.append(String.format(Locale.ROOT,
						"%s · %d volunteers · %d-slot tasks · %d s runs · %d cores · Java %s · load average at the start %s, at the end %s%n%n",
						Instant.now(), VOLUNTEERS, SLOTS, RUN.toSeconds(), Runtime.getRuntime().availableProcessors(),
						Runtime.version(), this.loadAtStart, loadAverage()))
				.append(BenchApplication.table(this.rows));
			table.append('\n');
			for (String note : this.notes) {
				table.append("- ").append(note).append('\n');
			}
			table.append("""

					Closed loops: every client sends its next request when the last one answered; latency is one
					request's round trip. The grab rows count task-already-taken (409) as answered, not failed:
					that is the right answer for all but the slots' winners. Ratios are to the empty HTTP endpoint
					under the same 200 clients; pgbench runs the grab's conditional UPDATE … FOR UPDATE SKIP LOCKED
					and puts the slot back, as one committed transaction, with %d connections (the application's
					pool), on the same server.
					""".formatted(DATABASE_CLIENTS));
			table.append('\n')
				.append(BenchApplication.onSharedData()
						? "The village is the first of the shared data set's county (seeded once for every benchmark, "
								+ "each on a copy of its own); its first households were given a member each, signed in "
								+ "here, and the admin, tasks and slots are this benchmark's."
						: "The village, its households registered through the application, is this benchmark's own.")
				.append('\n');
			BenchApplication.writeReport("tasks.md", table);
		}

		private static String grabScript() {
			return """
					\\set m :mmin + :client_id
					BEGIN;
					UPDATE task_slot SET state = 'GRABBED', volunteer_member_id = :m, volunteer_household_id = (SELECT household_id FROM member WHERE id = :m), grabbed_at = now() WHERE id = (SELECT id FROM task_slot WHERE task_id = :task AND state = 'OPEN' ORDER BY n LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id AS sid \\gset
					UPDATE task_slot SET state = 'OPEN', volunteer_member_id = NULL, volunteer_household_id = NULL, grabbed_at = NULL WHERE id = :sid;
					COMMIT;
					""";
		}

		private static String loadAverage() {
			try {
				return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
			}
			catch (Exception ex) {
				return "?";
			}
		}

	}

}
