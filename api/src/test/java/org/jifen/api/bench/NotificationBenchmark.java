package org.jifen.api.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.netty.util.internal.PlatformDependent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

import org.jifen.api.boards.Boards;
import org.jifen.api.embedded.EmbeddedPostgres;
import org.jifen.api.embedded.EmbeddedRedis;
import org.jifen.api.identity.Accounts;
import org.jifen.api.ledger.Ledger;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.ledger.Posting;
import org.jifen.api.village.HouseholdId;
import org.jifen.api.village.MemberId;
import org.jifen.api.village.Region;
import org.jifen.api.village.RegionId;
import org.jifen.api.village.RegionLevel;
import org.jifen.api.village.Villages;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * The notifications' benchmark (a command, not a test):
 * {@code ./mvnw -pl api -am -Pbench verify -Dbench.main=org.jifen.api.bench.NotificationBenchmark}.
 * Starts the application on embedded PostgreSQL and Redis, registers villages (or takes
 * the first of a copy of the {@link SharedDataSet}'s county) whose households each have
 * one member signed in as a villager, and measures in the same run:
 * <ul>
 * <li>commit to SSE: awards posted through {@link Ledger#post} by several callers, each
 * timed from its commit to the arrival of its notification on the household's open live
 * stream, at full speed and at a fixed rate, against a raw Redis pub/sub round trip;</li>
 * <li>the live streams one instance holds, and heap and resident memory per stream,
 * against idle keep-alive connections to a bare Reactor Netty server that never answers
 * (the clients run in a process of their own, so their memory is not counted).</li>
 * </ul>
 * Prints a report and writes it to {@code api/target/bench/notifications.md}.
 */
public final class NotificationBenchmark {

	private static final Pattern SEQUENCE = Pattern.compile("bench-(\\d+)");

	/** Villagers whose streams are open while awards are posted. */
	private static final int STREAMS = Integer.getInteger("bench.streams", 200);

	/** Awards posted at full speed. */
	private static final int AWARDS = Integer.getInteger("bench.awards", 3000);

	/**
	 * Villages the households are spread over: a village's postings serialise on its
	 * journal chain and the relay handles a village's events in order, so one village is
	 * the slowest case (measured on its own with {@link #ONE_VILLAGE_AWARDS}).
	 */
	private static final int VILLAGES = Integer.getInteger("bench.notify-villages", 8);

	private static final int ONE_VILLAGE_AWARDS = Integer.getInteger("bench.one-village-awards", 300);

	/**
	 * Distinct villagers holding the streams of the memory run (signing in costs about 50
	 * ms each here); streams go round-robin over them.
	 */
	private static final int USERS = Integer.getInteger("bench.users", 500);

	/** Callers posting at once. */
	private static final int CALLERS = Integer.getInteger("bench.callers", 8);

	/** Awards per second in the fixed-rate run, for {@link #RATE_SECONDS}. */
	private static final int RATE = Integer.getInteger("bench.rate", 25);

	private static final int RATE_SECONDS = Integer.getInteger("bench.rate-seconds", 20);

	/** Stream counts measured for memory, in increasing order. */
	private static final int[] CONNECTIONS = Arrays
		.stream(System.getProperty("bench.connections", "2000,5000").split(","))
		.mapToInt((count) -> Integer.parseInt(count.strip()))
		.toArray();

	/** Bytes of filler in each raw Redis message, about a notification's size. */
	private static final int MESSAGE_BYTES = 400;

	private NotificationBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		BenchApplication.run(Map.of(),
				(started) -> new Run(started.app(), started.postgres(), started.redis(), started.work()).all());
	}

	/** One run: the village, the villagers, the measurements and the report. */
	private static final class Run {

		private final ConfigurableApplicationContext app;

		private final EmbeddedPostgres postgres;

		private final EmbeddedRedis redis;

		private final Path work;

		private final int port;

		private final HttpClient http;

		private final List<String[]> rows = new ArrayList<>();

		private final List<String[]> memoryRows = new ArrayList<>();

		private final List<long[]> households = new ArrayList<>();

		private final List<Long> users = new ArrayList<>();

		private final List<String> tokens = new ArrayList<>();

		private int villageCount;

		private long kindId;

		private long vmRssBaseline;

		private String loadAtStart = "?";

		Run(ConfigurableApplicationContext app, EmbeddedPostgres postgres, EmbeddedRedis redis, Path work) {
			this.app = app;
			this.postgres = postgres;
			this.redis = redis;
			this.work = work;
			this.port = BenchApplication.port(app);
			this.http = HttpClient.create().baseUrl("http://127.0.0.1:" + this.port);
		}

		void all() throws Exception {
			this.loadAtStart = loadAverage();
			long seeding = System.nanoTime();
			int villagers = Math.max(STREAMS, USERS);
			village(villagers);
			System.out.printf(Locale.ROOT, "Registered and signed in %d villagers in %.0f s%n", villagers,
					(System.nanoTime() - seeding) / 1e9);
			String scenarios = System.getProperty("bench.scenarios", "relay,connections");
			if (!scenarios.contains("relay") && !scenarios.contains("connections")) {
				scenarios = "relay,connections";
			}
			if (scenarios.contains("relay")) {
				relay();
			}
			if (scenarios.contains("connections")) {
				connections();
			}
			report();
		}

		/**
		 * A household per villager spread over {@link #VILLAGES} villages (the shared
		 * county's first, or villages and households written here with SQL: the register
		 * is not what is measured), each with one member bound to a WeChat dev openid and
		 * signed in through the mini-program login.
		 */
		private void village(int villagers) throws Exception {
			Region county;
			String ids;
			if (BenchApplication.onSharedData()) {
				county = BenchApplication.region(this.app, this.postgres, SharedDataSet.COUNTY);
				try (Connection connection = jdbc()) {
					ids = SharedDataSet.countyVillages(connection, VILLAGES);
				}
				this.villageCount = ids.split(",").length;
				// Redis starts empty: the town's and county's boards are built now, as a
				// first read would, not by the relay inside the measured runs.
				long started = System.nanoTime();
				Boards boards = this.app.getBean(Boards.class);
				boards.rebuildRegion(BenchApplication.region(this.app, this.postgres, SharedDataSet.TOWN).id(), null)
					.then(boards.rebuildRegion(county.id(), null))
					.block();
				System.out.printf(Locale.ROOT, "Built the town's and county's boards in %.0f s%n",
						(System.nanoTime() - started) / 1e9);
			}
			else {
				Villages villages = this.app.getBean(Villages.class);
				county = villages.createRegion(null, RegionLevel.COUNTY, "bench-county", "测试县").block();
				Region town = villages.createRegion(county.id(), RegionLevel.TOWN, "bench-town", "测试镇").block();
				List<String> created = new ArrayList<>();
				for (int v = 0; v < VILLAGES; v++) {
					created.add(String
						.valueOf(villages.createRegion(town.id(), RegionLevel.VILLAGE, "bench-village-" + v, "测试村" + v)
							.block()
							.id()
							.value()));
				}
				ids = String.join(",", created);
				this.villageCount = VILLAGES;
				try (Connection connection = jdbc(); var sql = connection.createStatement()) {
					sql.execute("""
							insert into household (village_id, number, head_name)
							select r.id, lpad(g::text, 5, '0'), '户主' || g
							from region r cross join generate_series(1, %d) g where r.id in (%s)"""
						.formatted(perVillage(villagers), ids));
				}
			}
			this.kindId = this.app.getBean(PointKinds.class).defaultKind(county.id()).block().id();
			try (Connection connection = jdbc()) {
				// Household i lives in village i % villageCount.
				this.households.addAll(SharedDataSet.members(connection, ids, perVillage(villagers))
					.stream()
					.limit(villagers)
					.toList());
			}
			Accounts accounts = this.app.getBean(Accounts.class);
			List<String[]> signedIn = Flux.range(0, this.households.size())
				.flatMapSequential((i) -> accounts
					.bindVillager("dev-openid-bench" + i, new MemberId(this.households.get(i)[1]), List.of())
					.flatMap((userId) -> signIn("bench" + i).map((token) -> new String[] { userId.toString(), token })),
						16)
				.collectList()
				.block();
			for (String[] user : signedIn) {
				this.users.add(Long.parseLong(user[0]));
				this.tokens.add(user[1]);
			}
		}

		private int perVillage(int villagers) {
			return (villagers + this.villageCount - 1) / this.villageCount;
		}

		private Mono<String> signIn(String name) {
			return BenchApplication.villagerToken(this.http, name);
		}

		/**
		 * Commit to SSE: {@link #STREAMS} streams open, awards spread over their
		 * households, each notification matched to its award by the memo.
		 */
		private void relay() throws Exception {
			int warm = STREAMS;
			int fixed = RATE * RATE_SECONDS;
			int total = warm + AWARDS + fixed + ONE_VILLAGE_AWARDS;
			AtomicLongArray committed = new AtomicLongArray(total);
			AtomicLongArray arrived = new AtomicLongArray(total);
			AtomicInteger notifications = new AtomicInteger();
			AtomicInteger balances = new AtomicInteger();
			try (SseClients streams = new SseClients(this.port, (event, data) -> {
				if (event.equals("notification")) {
					Matcher sequence = SEQUENCE.matcher(data);
					if (sequence.find()
							&& arrived.compareAndSet(Integer.parseInt(sequence.group(1)), 0, System.nanoTime())) {
						notifications.incrementAndGet();
					}
				}
				else if (event.equals("balance")) {
					balances.incrementAndGet();
				}
			})) {
				AtomicInteger next = new AtomicInteger();
				streams.open(STREAMS, () -> streams.stream(this.tokens.get(next.getAndIncrement())));
				if (streams.live() != STREAMS) {
					throw new IllegalStateException("Only " + streams.live() + " of " + STREAMS + " streams opened");
				}
				// Warm-up: one award per household, every path compiled.
				post(0, warm, 0, committed, false);
				await(notifications, warm);
				LoadGenerator.Result[] full = timed("awards at full speed, " + CALLERS + " callers", warm, AWARDS,
						committed, arrived, notifications, 0, false);
				LoadGenerator.Result[] atRate = timed("awards at " + RATE + "/s", warm + AWARDS, fixed, committed,
						arrived, notifications, RATE, false);
				LoadGenerator.Result[] one = timed("awards in one village, " + CALLERS + " callers",
						warm + AWARDS + fixed, ONE_VILLAGE_AWARDS, committed, arrived, notifications, 0, true);
				LoadGenerator.Result redisFull = redisRoundTrip(AWARDS, 0);
				LoadGenerator.Result redisAtRate = redisRoundTrip(fixed, RATE);
				row("Commit → SSE, full speed", full[1], redisFull);
				row("Commit → SSE, full speed", full[0], redisFull);
				row("Commit → SSE, full speed", redisFull, redisFull);
				row("Commit → SSE at " + RATE + "/s", atRate[1], redisAtRate);
				row("Commit → SSE at " + RATE + "/s", redisAtRate, redisAtRate);
				row("Commit → SSE, one village, full speed", one[1], redisFull);
				row("Commit → SSE, one village, full speed", one[0], redisFull);
				System.out.printf(Locale.ROOT, "Balance events received: %d (one per award expected: %d)%n",
						balances.get(), total);
			}
		}

		/**
		 * Posts {@code count} awards from {@code first}, either as fast as
		 * {@link #CALLERS} callers go or at {@code rate} per second; waits for their
		 * notifications. Returns the postings and the deliveries.
		 */
		private LoadGenerator.Result[] timed(String name, int first, int count, AtomicLongArray committed,
				AtomicLongArray arrived, AtomicInteger notifications, int rate, boolean oneVillage)
				throws InterruptedException {
			int before = notifications.get();
			long start = System.nanoTime();
			int failures = post(first, count, rate, committed, oneVillage);
			long posted = System.nanoTime();
			boolean all = await(notifications, before + count - failures);
			long[] latencies = new long[count];
			long last = 0;
			int delivered = 0;
			for (int i = 0; i < count; i++) {
				long arrival = arrived.get(first + i);
				if (arrival != 0 && committed.get(first + i) != 0) {
					last = Math.max(last, arrival);
					latencies[delivered++] = arrival - committed.get(first + i);
				}
			}
			int missing = count - delivered;
			latencies = Arrays.copyOf(latencies, delivered);
			if (!all) {
				System.out.printf(Locale.ROOT, "%s: %d notifications missing after the wait%n", name, missing);
			}
			LoadGenerator.Result postings = new LoadGenerator.Result("Ledger.post: " + name, count,
					(posted - start) / 1e9, failures, Double.NaN, Double.NaN, Double.NaN);
			LoadGenerator.Result deliveries = LoadGenerator.Result.of("notification on the stream: " + name, latencies,
					count - missing, (last - start) / 1e9, missing);
			return new LoadGenerator.Result[] { postings, deliveries };
		}

		/**
		 * Awards {@code first} to {@code first + count}, over the streamed households of
		 * every village or of the first village only.
		 */
		private int post(int first, int count, int rate, AtomicLongArray committed, boolean oneVillage) {
			Ledger ledger = this.app.getBean(Ledger.class);
			AtomicInteger failures = new AtomicInteger();
			long start = System.nanoTime() + 20_000_000L;
			long period = (rate > 0) ? 1_000_000_000L / rate : 0;
			Flux.range(first, count).flatMap((i) -> {
				int perVillage = Math.max(1, STREAMS / this.villageCount);
				long[] household = this.households.get(oneVillage ? (i % perVillage) * this.villageCount : i % STREAMS);
				Mono<Long> due = (rate > 0)
						? Mono.delay(Duration.ofNanos(Math.max(0, start + (i - first) * period - System.nanoTime())))
						: Mono.just(0L);
				return due
					.then(Mono.defer(() -> ledger.post(Posting.award(new RegionId(household[2]), this.kindId,
							new HouseholdId(household[0]), 1 + i % 9, "bench-" + i, null))))
					.doOnNext((done) -> committed.set(i, System.nanoTime()))
					.then()
					.onErrorResume((error) -> {
						if (failures.getAndIncrement() == 0) {
							System.out.println("A posting failed: " + error);
						}
						return Mono.empty();
					});
			}, (rate > 0) ? count : CALLERS).blockLast();
			return failures.get();
		}

		private static boolean await(AtomicInteger counter, int target) throws InterruptedException {
			long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
			while (counter.get() < target && System.nanoTime() < deadline) {
				Thread.sleep(2);
			}
			return counter.get() >= target;
		}

		/**
		 * The baseline: PUBLISH on one Lettuce connection, SUBSCRIBE on another, the same
		 * number of messages with the same callers (or rate), timed publish to receipt.
		 */
		private LoadGenerator.Result redisRoundTrip(int count, int rate) throws InterruptedException {
			RedisClient client = RedisClient.create(RedisURI.create(this.redis.host(), this.redis.port()));
			try (StatefulRedisPubSubConnection<String, String> subscriber = client.connectPubSub();
					StatefulRedisConnection<String, String> publisher = client.connect()) {
				long[] sent = new long[count];
				AtomicLongArray received = new AtomicLongArray(count);
				AtomicInteger arrivals = new AtomicInteger();
				subscriber.addListener(new RedisPubSubAdapter<>() {

					@Override
					public void message(String channel, String message) {
						int i = Integer.parseInt(message.substring(0, message.indexOf(':')));
						received.set(i, System.nanoTime());
						arrivals.incrementAndGet();
					}

				});
				subscriber.sync().subscribe("bench:roundtrip");
				String filler = "x".repeat(MESSAGE_BYTES);
				long start = System.nanoTime() + 20_000_000L;
				long period = (rate > 0) ? 1_000_000_000L / rate : 0;
				Flux.range(0, count).flatMap((i) -> {
					Mono<Long> due = (rate > 0)
							? Mono.delay(Duration.ofNanos(Math.max(0, start + i * period - System.nanoTime())))
							: Mono.just(0L);
					return due.then(Mono.defer(() -> {
						sent[i] = System.nanoTime();
						return publisher.reactive().publish("bench:roundtrip", i + ":" + filler);
					}));
				}, (rate > 0) ? count : CALLERS).blockLast();
				await(arrivals, count);
				long first = Arrays.stream(sent).min().orElse(0);
				long last = 0;
				long[] latencies = new long[count];
				for (int i = 0; i < count; i++) {
					last = Math.max(last, received.get(i));
					latencies[i] = received.get(i) - sent[i];
				}
				return LoadGenerator.Result.of("Redis PUBLISH → SUBSCRIBE (Lettuce), " + count + " messages", latencies,
						arrivals.get(), (last - first) / 1e9, count - arrivals.get());
			}
			finally {
				client.shutdown();
			}
		}

		/**
		 * Streams one instance holds and memory per stream, against idle connections to a
		 * bare server; the clients in a process of their own.
		 */
		private void connections() throws Exception {
			Memory start = Memory.now();
			this.vmRssBaseline = start.rss();
			DisposableServer bare = HttpServer.create()
				.host("127.0.0.1")
				.port(0)
				.handle((request, response) -> Mono.never())
				.bindNow();
			try (Clients idle = new Clients("idle", bare.port(), null)) {
				Memory before = Memory.now();
				for (int count : CONNECTIONS) {
					int live = idle.open(count);
					memoryRow(count, "idle connection to a bare Reactor Netty server", live, before, Memory.now(), "–");
				}
			}
			finally {
				bare.disposeNow();
			}
			Path tokenFile = this.work.resolve("tokens.txt");
			Files.write(tokenFile, this.tokens);
			ReactiveStringRedisTemplate redis = this.app.getBean(ReactiveStringRedisTemplate.class);
			try (Clients streams = new Clients("stream", this.port, tokenFile)) {
				Memory before = Memory.now();
				for (int count : CONNECTIONS) {
					int live = streams.open(count);
					Memory after = Memory.now();
					// One balance event per user with a stream, on the channel the
					// application's LiveStream publishes to; count what arrives.
					streams.count();
					Flux.range(0, Math.min(count, this.users.size()))
						.flatMap((i) -> redis.convertAndSend("jifen:live:user:" + this.users.get(i),
								"{\"event\":\"balance\",\"id\":null,\"data\":{\"householdId\":"
										+ this.households.get(i)[0] + ",\"balances\":[]}}"),
								64)
						.blockLast();
					int arrived = 0;
					long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
					while (arrived < live && System.nanoTime() < deadline) {
						Thread.sleep(200);
						arrived += streams.count()[1];
					}
					memoryRow(count, "live stream (GET /api/v1/me/stream)", live, before, after,
							arrived + " / " + live);
				}
			}
		}

		private void memoryRow(int count, String kind, int live, Memory before, Memory after, String reached) {
			this.memoryRows.add(new String[] { String.valueOf(count), kind, String.valueOf(live),
					kib((after.heap() - before.heap()) / (double) live),
					kib((after.rss() - before.rss()) / (double) live),
					(after.direct() < 0) ? "–" : kib((after.direct() - before.direct()) / (double) live),
					String.format(Locale.ROOT, "%.0f", after.rss() / 1048576.0), reached });
		}

		private static String kib(double bytes) {
			return String.format(Locale.ROOT, "%.1f", bytes / 1024);
		}

		private Connection jdbc() throws Exception {
			return BenchApplication.jdbc(this.postgres);
		}

		private void row(String scenario, LoadGenerator.Result result, LoadGenerator.Result baseline) {
			this.rows.add(BenchApplication.row(scenario, result, baseline, 3));
		}

		private void report() throws Exception {
			StringBuilder table = new StringBuilder();
			table.append("# Notifications benchmark\n\n")
				.append(String.format(Locale.ROOT,
						"%s · %d villages, %d households with a signed-in villager each · %d streams open for the relay "
								+ "· %d awards by %d callers, then %d/s for %d s, then %d in one village "
								+ "· %d cores · Java %s · ulimit -n %s · load average at the start %s, at the end %s%n%n",
						Instant.now(), this.villageCount, this.households.size(), STREAMS, AWARDS, CALLERS, RATE,
						RATE_SECONDS, ONE_VILLAGE_AWARDS, Runtime.getRuntime().availableProcessors(), Runtime.version(),
						openFileLimit(), this.loadAtStart, loadAverage()));
			if (!this.rows.isEmpty()) {
				table.append("## Commit to SSE\n\n").append(BenchApplication.table(this.rows));
				table.append("""

						Latency runs from the moment `Ledger.post` returned (its transaction committed) to the
						arrival of the notification on the household member's stream, matched by the memo. The
						per-second figure of a notification row is awards delivered over the time from the first
						posting to the last arrival. The baseline is a raw Redis pub/sub round trip on the same
						server (PUBLISH on one Lettuce connection, SUBSCRIBE on another), the same number of
						messages of about the same size, from the same number of callers or at the same rate;
						its latency runs from PUBLISH to receipt. Failures of a notification row are awards
						whose notification did not arrive. The one-village rows put every award in one village:
						its postings queue on the village's journal chain and the relay hands its events on one
						at a time, in order.

						""");
			}
			if (!this.memoryRows.isEmpty()) {
				table.append("## Connections one instance holds\n\n")
					.append("| connections asked | kind | connected | heap KiB per connection | RSS KiB per connection | Netty direct KiB per connection | process RSS MiB | balance events received |\n")
					.append("|---:|---|---:|---:|---:|---:|---:|---|\n");
				for (String[] row : this.memoryRows) {
					table.append("| ").append(String.join(" | ", row)).append(" |\n");
				}
				table.append(String.format(Locale.ROOT, """

						The clients run in a separate JVM, so these figures are the server's alone. Heap is
						the used heap after `System.gc()`, RSS is `VmRSS` of this process (%.0f MiB before the
						first connection), both against the same process just before its kind's first
						connection; the bare server was measured first, so the streams' RSS may reuse what it
						freed. The streams go round-robin over %d villagers, each with a Redis channel
						subscription of its own; one balance event published on each villager's channel must
						reach every stream.

						""", this.vmRssBaseline / 1048576.0, this.tokens.size()));
			}
			table.append(BenchApplication.onSharedData()
					? "The villages are the first of the shared data set's county (seeded once for every benchmark, "
							+ "each on a copy of its own): their first households were given a member each, signed "
							+ "in here, and the awards continue their year of history. Redis starts empty; the town's "
							+ "and county's boards were built before the runs.\n"
					: "The villages and households are this benchmark's own.\n");
			BenchApplication.writeReport("notifications.md", table);
		}

		/**
		 * The one-minute load average: other processes on the same cores (builds, tests)
		 * disturb every figure here.
		 */
		private static String loadAverage() {
			try {
				return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
			}
			catch (Exception ex) {
				return "?";
			}
		}

		private static String openFileLimit() {
			try {
				for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
					if (line.startsWith("Max open files")) {
						return line.split("\\s+")[3];
					}
				}
			}
			catch (Exception ex) {
				// Not Linux: leave it out.
			}
			return "?";
		}

	}

	/** The server's memory after a full collection. */
	private record Memory(long heap, long rss, long direct) {

		static Memory now() throws InterruptedException {
			for (int i = 0; i < 3; i++) {
				System.gc();
				Thread.sleep(300);
			}
			long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
			return new Memory(heap, residentSetSize(), PlatformDependent.usedDirectMemory());
		}

		private static long residentSetSize() {
			try {
				for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
					if (line.startsWith("VmRSS:")) {
						return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
					}
				}
			}
			catch (Exception ex) {
				// Not Linux.
			}
			return 0;
		}

	}

	/** {@link SseClients} in a JVM of its own, driven over its standard input. */
	private static final class Clients implements AutoCloseable {

		private final Process process;

		private final PrintWriter commands;

		private final BufferedReader answers;

		Clients(String mode, int port, Path tokens) throws Exception {
			List<String> command = new ArrayList<>(List.of(
					Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-cp",
					System.getProperty("java.class.path"), SseClients.class.getName(), mode, String.valueOf(port)));
			if (tokens != null) {
				command.add(tokens.toString());
			}
			this.process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
			this.commands = new PrintWriter(this.process.getOutputStream(), true, StandardCharsets.UTF_8);
			this.answers = new BufferedReader(
					new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8));
		}

		/** Opens connections up to {@code total}; how many are live. */
		int open(int total) throws Exception {
			long[] answer = ask("open " + total);
			if (answer[1] > 0) {
				System.out.printf(Locale.ROOT, "%d connections ended%n", answer[1]);
			}
			return (int) answer[0];
		}

		/** Live connections, and balance events since the last count. */
		long[] count() throws Exception {
			return ask("count");
		}

		private long[] ask(String command) throws Exception {
			this.commands.println(command);
			String line = this.answers.readLine();
			if (line == null) {
				throw new IllegalStateException("The client process ended");
			}
			return Arrays.stream(line.strip().split(" ")).mapToLong(Long::parseLong).toArray();
		}

		@Override
		public void close() throws Exception {
			this.commands.println("quit");
			if (!this.process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
				this.process.destroy();
			}
		}

	}

}
