package org.jifen.api.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.jifen.api.catalog.Catalog;
import org.jifen.api.catalog.CatalogItemDraft;
import org.jifen.api.claims.Claims;
import org.jifen.api.embedded.EmbeddedPostgres;
import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Grant;
import org.jifen.api.identity.Role;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.shared.Actor;
import org.jifen.api.village.MemberId;
import org.jifen.api.village.Region;
import org.jifen.api.village.RegionLevel;
import org.jifen.api.village.Villages;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The ledger's benchmark (a command, not a test):
 * {@code ./mvnw -pl api -am -Pbench verify}. Starts the application on embedded
 * PostgreSQL and Redis, loads a county of 150,000 households with a year of history (or
 * runs on a copy of the {@link SharedDataSet}, which holds it), and measures, in the same
 * run on the same machine:
 * <ul>
 * <li>effective postings per second through the API (claims recorded and approved over
 * HTTP, in the monthly batch and one at a time, their notices closed by the application's
 * own job) against pgbench running the equivalent posting transaction as raw SQL;</li>
 * <li>balance reads at a fixed 500 requests per second and at full speed, against an
 * empty HTTP endpoint and against pgbench running the same balance query.</li>
 * </ul>
 * Prints a report table and writes it to {@code api/target/bench/ledger.md}.
 */
public final class LedgerBenchmark {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final int VILLAGES = Integer.getInteger("bench.villages", 300);

	private static final int HOUSEHOLDS_PER_VILLAGE = Integer.getInteger("bench.households-per-village", 500);

	private static final int HISTORY_MONTHS = Integer.getInteger("bench.history-months", 12);

	private static final int POSTING_VILLAGES = 8;

	private static final int POSTING_HOUSEHOLDS = 50;

	private static final int CLIENTS = Integer.getInteger("bench.clients", 16);

	private static final int READ_RATE = Integer.getInteger("bench.read-rate", 500);

	private static final Duration RUN = Duration.ofSeconds(Long.getLong("bench.seconds", 20));

	/**
	 * Reads before the measured ones: on two slow cores the JIT took minutes to compile
	 * the request path (the same read ran 50% faster after two minutes than after 20 s).
	 */
	private static final Duration READ_WARM_UP = Duration.ofSeconds(Long.getLong("bench.read-warm-up-seconds", 60));

	private static final int CLAIMS = Integer.getInteger("bench.claims", 4000);

	/** Villagers who give, spread over the posting villages. */
	private static final int DONORS = 80;

	private static final int DONATIONS = Integer.getInteger("bench.donations", 2000);

	private LedgerBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		Pgbench.requireInstalled();
		// The benchmark closes notices itself, as fast as claims arrive.
		BenchApplication.run(Map.of("jifen.claims.deadline-interval", "PT24H"),
				(started) -> new LedgerBenchmark.Run(started.app(), started.postgres(), started.load(), started.work())
					.all());
	}

	/**
	 * The county of {@link SharedDataSet#COUNTY}: a town of {@link #VILLAGES} villages of
	 * {@link #HOUSEHOLDS_PER_VILLAGE} households with {@link #HISTORY_MONTHS} months of
	 * history, written with SQL.
	 */
	static void seed(ConfigurableApplicationContext app, EmbeddedPostgres postgres) throws Exception {
		long started = System.nanoTime();
		Villages villages = app.getBean(Villages.class);
		Region county = villages.createRegion(null, RegionLevel.COUNTY, SharedDataSet.COUNTY, "测试县").block();
		Region town = villages.createRegion(county.id(), RegionLevel.TOWN, SharedDataSet.TOWN, "测试镇").block();
		long kindId = app.getBean(PointKinds.class).defaultKind(county.id()).block().id();
		try (Connection connection = BenchApplication.jdbc(postgres)) {
			BenchCounty.seed(connection, "bench", town.id().value(), kindId, VILLAGES, HOUSEHOLDS_PER_VILLAGE,
					HISTORY_MONTHS);
		}
		System.out.printf(Locale.ROOT, "Loaded %d households with %d months of history in %.0f s%n",
				(long) VILLAGES * HOUSEHOLDS_PER_VILLAGE, HISTORY_MONTHS, (System.nanoTime() - started) / 1e9);
	}

	/** One run: the county, the tokens, the measurements and the report. */
	private static final class Run {

		private final ConfigurableApplicationContext app;

		private final EmbeddedPostgres postgres;

		private final LoadGenerator load;

		private final Path work;

		private final HttpClient http;

		private final List<String[]> rows = new ArrayList<>();

		private final List<String> notes = new ArrayList<>();

		private Region town;

		private long kindId;

		private String token;

		private long staffId;

		private long firstHousehold;

		private long lastHousehold;

		Run(ConfigurableApplicationContext app, EmbeddedPostgres postgres, LoadGenerator load, Path work) {
			this.app = app;
			this.postgres = postgres;
			this.load = load;
			this.work = work;
			int port = BenchApplication.port(app);
			this.http = load.client(port);
		}

		void all() throws Exception {
			county();
			if (Boolean.getBoolean("bench.explain")) {
				explainBalanceQuery();
			}
			String scenarios = System.getProperty("bench.scenarios", "postings,balances");
			if (scenarios.contains("postings")) {
				postings();
			}
			if (scenarios.contains("balances")) {
				// Reads are measured on their own, not behind the relay's backlog of the
				// postings just made (boards and inboxes catching up).
				drainOutbox();
				balances();
			}
			report();
		}

		private void county() throws Exception {
			if (!BenchApplication.onSharedData()) {
				seed(this.app, this.postgres);
			}
			Region county = BenchApplication.region(this.app, this.postgres, SharedDataSet.COUNTY);
			this.town = BenchApplication.region(this.app, this.postgres, SharedDataSet.TOWN);
			this.kindId = this.app.getBean(PointKinds.class).defaultKind(county.id()).block().id();
			try (Connection connection = jdbc();
					var range = connection.createStatement()
						.executeQuery(
								"select min(h.id), max(h.id) from household h join region r on r.id = h.village_id "
										+ "where r.code like 'bench-%'")) {
				range.next();
				this.firstHousehold = range.getLong(1);
				this.lastHousehold = range.getLong(2);
			}
			this.staffId = this.app.getBean(Accounts.class)
				.createStaff("bench-reviewer", "评议员", "bench-password",
						List.of(Grant.inRegion(Role.REVIEWER, this.town.id().value()),
								Grant.inRegion(Role.COUNTY_ADMIN, county.id().value())))
				.block();
			this.token = BenchApplication.staffToken(this.http, "bench-reviewer", "bench-password").block();
		}

		/**
		 * Claims through the API and the notice-closing job, against pgbench running the
		 * posting transaction.
		 */
		private void postings() throws Exception {
			Villages villages = this.app.getBean(Villages.class);
			Catalog catalog = this.app.getBean(Catalog.class);
			Claims claims = this.app.getBean(Claims.class);
			List<long[]> households = new ArrayList<>();
			List<Long> postingVillages = new ArrayList<>();
			for (int v = 0; v < POSTING_VILLAGES; v++) {
				Region village = villages.createRegion(this.town.id(), RegionLevel.VILLAGE, "posting-" + v, "记分村" + v)
					.block();
				postingVillages.add(village.id().value());
				catalog
					.save(village.id(), new CatalogItemDraft("qin-01", "参加义务劳动", "勤", 5, null, null, false, null, null),
							new Actor(this.staffId, null))
					.block();
				try (Connection connection = jdbc();
						var insert = connection.prepareStatement(
								"insert into household (village_id, number, head_name) values (?, ?, ?) returning id")) {
					for (int h = 1; h <= POSTING_HOUSEHOLDS; h++) {
						insert.setLong(1, village.id().value());
						insert.setString(2, String.format("%03d", h));
						insert.setString(3, "户主" + h);
						try (var id = insert.executeQuery()) {
							id.next();
							households.add(new long[] { village.id().value(), id.getLong(1) });
						}
					}
				}
			}
			// Warm both paths, then measure each pipeline from the first claim to the
			// last
			// posting: the monthly batch (a village's whole register recorded in one
			// request, approved by the meeting in a second), and one claim at a time.
			recordAndApprove(households, 200);
			recordAndApproveBatches(households, POSTING_VILLAGES * POSTING_HOUSEHOLDS);
			closeAll(claims);
			LoadGenerator.Result batches = untilEffective(claims,
					"claim → effective posting through the API, " + "monthly batch of " + POSTING_HOUSEHOLDS,
					() -> recordAndApproveBatches(households, CLAIMS));
			LoadGenerator.Result oneByOne = untilEffective(claims,
					"claim → effective posting through the API, one claim at a time",
					() -> recordAndApprove(households, CLAIMS));

			// The job alone: a backlog of approved claims made effective.
			recordAndApproveBatches(households, CLAIMS);
			long jobStart = System.nanoTime();
			long posted = closeAll(claims);
			LoadGenerator.Result job = new LoadGenerator.Result("notice-closing job, postings only", posted,
					(System.nanoTime() - jobStart) / 1e9, 0, Double.NaN, Double.NaN, Double.NaN);

			long firstVillage = postingVillages.getFirst();
			long firstPostingHousehold = households.getFirst()[1];
			LoadGenerator.Result raw = pgbench().run("pgbench: the posting transaction", postingScript(),
					Map.of("kind", this.kindId, "town", this.town.id().value(), "vmin", firstVillage, "hmin",
							firstPostingHousehold, "hcount", households.size(), "per", POSTING_HOUSEHOLDS),
					CLIENTS, 0, RUN);
			// The baseline writes its outbox rows as the ledger does, but they stand for
			// that cost only: they are not for delivery (and carry too little to
			// deliver).
			try (Connection connection = jdbc(); var sql = connection.createStatement()) {
				sql.execute("update outbox_event set status = 'DONE' where status = 'PENDING' "
						+ "and type = 'points.posted' and payload ->> 'occurredAt' is null");
			}
			row("Effective postings", batches, raw);
			row("Effective postings", oneByOne, raw);
			row("Effective postings", job, raw);
			row("Effective postings", raw, raw);
			donations(households, raw);
		}

		/**
		 * Runs {@code submit} while the notice-closing job runs beside it, and counts
		 * from the start until every claim it submitted is effective. Latencies are the
		 * submitting requests'.
		 */
		private LoadGenerator.Result untilEffective(Claims claims, String name, Supplier<LoadGenerator.Result> submit)
				throws Exception {
			// One connection for the polling: a new one every few milliseconds would cost
			// the server a backend process each time, on the cores the job needs.
			try (Connection polling = jdbc()) {
				long before = effectiveClaims(polling);
				long start = System.nanoTime();
				var closing = Mono.defer(() -> claims.closeDue(Instant.now().plus(Duration.ofDays(365))))
					.then(Mono.delay(Duration.ofMillis(10)))
					.repeat()
					.subscribe();
				LoadGenerator.Result submitted = submit.get();
				System.out.printf(Locale.ROOT, "%s: requests done in %.1f s, %d claims effective by then%n", name,
						submitted.seconds(), effectiveClaims(polling) - before);
				while (effectiveClaims(polling) - before < CLAIMS) {
					Thread.sleep(20);
				}
				double seconds = (System.nanoTime() - start) / 1e9;
				closing.dispose();
				return new LoadGenerator.Result(name, CLAIMS, seconds, submitted.failures(), submitted.p50(),
						submitted.p99(), submitted.p999());
			}
		}

		/**
		 * The monthly batch: each request records one village's whole register as the
		 * organisation's claims, and the next approves them all.
		 */
		private LoadGenerator.Result recordAndApproveBatches(List<long[]> households, int count) {
			return this.load.closedLoop("batch record + approve", CLIENTS, count / POSTING_HOUSEHOLDS,
					new LoadGenerator.Request() {

						@Override
						public Mono<Integer> apply(int i) {
							int first = (i % POSTING_VILLAGES) * POSTING_HOUSEHOLDS;
							StringBuilder rows = new StringBuilder();
							for (long[] household : households.subList(first, first + POSTING_HOUSEHOLDS)) {
								rows.append((rows.isEmpty()) ? "" : ",")
									.append("{\"householdId\":")
									.append(household[1])
									.append(",\"itemCode\":\"qin-01\",\"description\":\"参加义务劳动\"}");
							}
							long village = households.get(first)[0];
							return post("/api/v1/villages/" + village + "/claims/batch", "{\"rows\":[" + rows + "]}")
								.flatMap((created) -> {
									StringBuilder ids = new StringBuilder();
									created.get("claims")
										.forEach((claim) -> ids.append((ids.isEmpty()) ? "" : ",")
											.append(claim.get("id").asLong()));
									return post("/api/v1/villages/" + village + "/claims/approvals",
											"{\"claimIds\":[" + ids + "],\"reason\":\"评议会审议通过\"}");
								})
								.map((approved) -> 200);
						}

					});
		}

		private LoadGenerator.Result recordAndApprove(List<long[]> households, int count) {
			return this.load.closedLoop("record + approve", CLIENTS, count, new LoadGenerator.Request() {

				@Override
				public Mono<Integer> apply(int i) {
					long[] household = households.get(i % households.size());
					String claim = "{\"householdId\":" + household[1]
							+ ",\"itemCode\":\"qin-01\",\"source\":\"ORGANISATION\",\"description\":\"参加义务劳动\"}";
					return post("/api/v1/villages/" + household[0] + "/claims", claim)
						.flatMap((created) -> post("/api/v1/claims/" + created.get("id").asLong() + "/approve",
								"{\"reason\":\"属实\"}"))
						.map((approved) -> 200);
				}

			});
		}

		private Mono<JsonNode> post(String path, String body) {
			return send("POST", path, this.token, body);
		}

		private Mono<JsonNode> send(String method, String path, String bearer, String body) {
			return this.http
				.headers((headers) -> headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + bearer)
					.set(HttpHeaderNames.CONTENT_TYPE, "application/json")
					.set("Idempotency-Key", UUID.randomUUID().toString()))
				.request(HttpMethod.valueOf(method))
				.uri(path)
				.send(ByteBufFlux.fromString(Mono.just(body)))
				.responseSingle((response, content) -> content.asString(StandardCharsets.UTF_8).map((text) -> {
					if (response.status().code() >= 300) {
						throw new IllegalStateException(path + " answered " + response.status() + ": " + text);
					}
					return JSON.readTree(text);
				}));
		}

		private long closeAll(Claims claims) {
			long total = 0;
			long closed;
			do {
				closed = claims.closeDue(Instant.now().plus(Duration.ofDays(365))).block();
				total += closed;
			}
			while (closed > 0);
			return total;
		}

		private long effectiveClaims(Connection connection) throws Exception {
			try (var count = connection.createStatement()
				.executeQuery("select count(*) from claim where status = 'EFFECTIVE'")) {
				count.next();
				return count.getLong(1);
			}
		}

		/** Waits for the relay to deliver every pending event, and reports its pace. */
		private void drainOutbox() throws Exception {
			BenchApplication.Drained drained = BenchApplication.awaitOutboxDrained(this.postgres,
					Duration.ofMinutes(10));
			System.out.printf(Locale.ROOT, "The relay delivered a backlog of %d events in %.0f s (%.0f/s)%n",
					drained.events(), drained.seconds(), drained.perSecond());
			this.notes.add(String.format(Locale.ROOT,
					"Before the reads, the relay delivered the postings' backlog of %d events (boards, inboxes) in "
							+ "%.0f s: %.0f events/s.",
					drained.events(), drained.seconds(), drained.perSecond()));
		}

		/** Balance reads of random households of the county. */
		private void balances() throws Exception {
			LoadGenerator.Request read = signedInGet(() -> "/api/v1/households/" + randomHousehold() + "/balances");
			this.load.closedLoop("warm-up", CLIENTS, READ_WARM_UP, read);

			DisposableServer empty = HttpServer.create()
				.host("127.0.0.1")
				.port(0)
				.handle((request, response) -> response.header(HttpHeaderNames.CONTENT_TYPE, "application/json")
					.sendString(Mono.just("{}")))
				.bindNow();
			try {
				HttpClient emptyClient = this.load.client(empty.port());
				LoadGenerator.Request nothing = (i) -> emptyClient.get()
					.uri("/")
					.responseSingle((response,
							body) -> body.asString().defaultIfEmpty("").thenReturn(response.status().code()));
				this.load.closedLoop("warm-up", CLIENTS, Duration.ofSeconds(3), nothing);
				LoadGenerator.Result emptyAtRate = this.load.openLoop("empty HTTP endpoint", READ_RATE, RUN, nothing);
				LoadGenerator.Result emptyFull = this.load.closedLoop("empty HTTP endpoint", CLIENTS, RUN, nothing);

				LoadGenerator.Request me = signedInGet(() -> "/api/v1/me");
				LoadGenerator.Result meFull = this.load.closedLoop("signed-in GET /api/v1/me (no database)", CLIENTS,
						RUN, me);
				LoadGenerator.Result atRate = this.load.openLoop("balance read", READ_RATE, RUN, read);
				LoadGenerator.Result full = this.load.closedLoop("balance read", CLIENTS, RUN, read);
				Map<String, Object> variables = Map.of("hmin", this.firstHousehold, "hmax", this.lastHousehold);
				LoadGenerator.Result rawAtRate = pgbench().run("pgbench: the balance query", balanceScript(), variables,
						CLIENTS, READ_RATE, RUN);
				LoadGenerator.Result rawFull = pgbench().run("pgbench: the balance query", balanceScript(), variables,
						CLIENTS, 0, RUN);
				String atRateName = "Balance read at " + READ_RATE + "/s";
				row(atRateName, atRate, emptyAtRate);
				row(atRateName, emptyAtRate, emptyAtRate);
				row(atRateName, rawAtRate, emptyAtRate);
				row("Balance read, full speed", full, emptyFull);
				row("Balance read, full speed", emptyFull, emptyFull);
				row("Balance read, full speed", rawFull, emptyFull);
				row("Balance read, full speed", meFull, emptyFull);
				this.rows.add(new String[] { "Balance read, full speed", "API ÷ pgbench balance query", "", "", "", "",
						"", "", String.format(Locale.ROOT, "%.2f", full.throughput() / rawFull.throughput()) });
				history(emptyFull, variables);
			}
			finally {
				empty.disposeNow();
			}
		}

		/**
		 * The first page (20 entries) of random households' history, at full speed,
		 * against the empty endpoint and pgbench running the history query.
		 */
		private void history(LoadGenerator.Result emptyFull, Map<String, Object> variables) throws Exception {
			LoadGenerator.Request page = signedInGet(
					() -> "/api/v1/households/" + randomHousehold() + "/history?limit=20");
			this.load.closedLoop("warm-up", CLIENTS, Duration.ofSeconds(5), page);
			LoadGenerator.Result full = this.load.closedLoop("history page (20 entries)", CLIENTS, RUN, page);
			LoadGenerator.Result raw = pgbench().run("pgbench: the history query", historyScript(), variables, CLIENTS,
					0, RUN);
			row("History page, full speed", full, emptyFull);
			row("History page, full speed", raw, emptyFull);
			this.rows.add(new String[] { "History page, full speed", "API ÷ pgbench history query", "", "", "", "", "",
					"", String.format(Locale.ROOT, "%.2f", full.throughput() / raw.throughput()) });
		}

		/**
		 * Villagers giving 1 point to a neighbour in their village, through the API, each
		 * request its own donation; against pgbench's posting transaction (a donation is
		 * one posting of the same shape, plus its donation row).
		 */
		private void donations(List<long[]> households, LoadGenerator.Result raw) throws Exception {
			List<String> tokens = new ArrayList<>();
			List<long[]> donors = new ArrayList<>();
			Accounts accounts = this.app.getBean(Accounts.class);
			for (int d = 0; d < DONORS; d++) {
				long[] household = households.get(d * households.size() / DONORS);
				long memberId;
				try (Connection connection = jdbc();
						var member = connection.createStatement()
							.executeQuery("insert into member (household_id, name, relation, birth_year) values ("
									+ household[1] + ", '捐赠人', '户主', 1970) returning id")) {
					member.next();
					memberId = member.getLong(1);
				}
				accounts.bindVillager("dev-openid-donor-" + d, new MemberId(memberId), List.of()).block();
				tokens.add(BenchApplication.villagerToken(this.http, "donor-" + d).block());
				donors.add(household);
			}
			for (long village : households.stream().mapToLong((household) -> household[0]).distinct().toArray()) {
				send("PUT", "/api/v1/villages/" + village + "/donation-policy", this.token,
						"{\"dailyCap\":1000000,\"monthlyCap\":10000000,\"minimum\":1,\"assistanceListOnly\":false}")
					.block();
			}
			LoadGenerator.Request give = (i) -> {
				int d = i % DONORS;
				long[] donor = donors.get(d);
				// The next household of the same village (households are listed village
				// by
				// village).
				long recipient = households.stream()
					.filter((household) -> household[0] == donor[0] && household[1] != donor[1])
					.findFirst()
					.orElseThrow()[1];
				return send("POST", "/api/v1/villages/" + donor[0] + "/donations", tokens.get(d),
						"{\"recipientHouseholdId\":" + recipient + ",\"points\":1}")
					.thenReturn(200);
			};
			this.load.closedLoop("warm-up", CLIENTS, DONORS, give);
			LoadGenerator.Result given = this.load.closedLoop("donation through the API", CLIENTS, DONATIONS, give);
			row("Donations", given, raw);
			row("Donations", raw, raw);
		}

		/**
		 * A GET of the reviewer's to a path made for each request; answers the status.
		 */
		private LoadGenerator.Request signedInGet(Supplier<String> path) {
			return (i) -> this.http
				.headers((headers) -> headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + this.token))
				.get()
				.uri(path.get())
				.responseSingle(
						(response, body) -> body.asString().defaultIfEmpty("").thenReturn(response.status().code()));
		}

		private void explainBalanceQuery() throws Exception {
			String query = balanceScript().lines()
				.skip(1)
				.findFirst()
				.orElseThrow()
				.replace(":household", String.valueOf(randomHousehold()));
			try (Connection connection = jdbc();
					var plan = connection.createStatement().executeQuery("explain (analyze, buffers) " + query)) {
				while (plan.next()) {
					System.out.println(plan.getString(1));
				}
			}
		}

		private long randomHousehold() {
			return ThreadLocalRandom.current().nextLong(this.firstHousehold, this.lastHousehold + 1);
		}

		private Pgbench pgbench() {
			return new Pgbench("127.0.0.1", this.postgres.port(), this.postgres.user(), "jifen_bench", this.work);
		}

		private Connection jdbc() throws Exception {
			return BenchApplication.jdbc(this.postgres);
		}

		private void row(String scenario, LoadGenerator.Result result, LoadGenerator.Result baseline) {
			this.rows.add(BenchApplication.row(scenario, result, baseline, 2));
		}

		private void report() throws Exception {
			StringBuilder table = new StringBuilder();
			table.append("# Ledger benchmark\n\n")
				.append(String.format(Locale.ROOT,
						"%s · %d households in %d villages with %d months of history · %d clients · %d s runs · %d cores · Java %s%n%n",
						Instant.now(), (long) VILLAGES * HOUSEHOLDS_PER_VILLAGE, VILLAGES, HISTORY_MONTHS, CLIENTS,
						RUN.toSeconds(), Runtime.getRuntime().availableProcessors(), Runtime.version()))
				.append(BenchApplication.table(this.rows));
			table
				.append("""

						Baselines: the effective-postings rows compare with pgbench running the posting transaction
						(the same statements the ledger issues for one award, as one SQL transaction, on the same
						server). Claim-to-effective rows count from the first claim recorded to the last one posted by
						the notice-closing job running beside the requests: in the monthly batch, each request pair
						records a village's whole register (one request) and approves it (a second); one at a time,
						each claim is two requests. The donations also compare with that posting (one posting of the
						same shape, plus the donation row, by villagers signed in through the mini-program); the balance and history rows compare with an
						empty HTTP endpoint on the same machine, and their pgbench rows show the query alone. Latency
						at a fixed rate counts from the moment each request was due; the reads are measured after
						%d s of warm-up reads at full speed. Targets: effective postings ≥ 0.40 of pgbench; balance read
						p99 < 20 ms at 500/s with 150,000 households.
						"""
					.formatted(READ_WARM_UP.toSeconds()));
			table.append('\n')
				.append(BenchApplication.onSharedData()
						? "The county is the shared data set's (seeded once for every benchmark, each on a copy of "
								+ "its own): the balance and history reads go to its households. "
						: "The county was seeded by this benchmark. ")
				.append("""
						Postings and donations go to %d villages of %d households created through the
						application under the county's town, since the bulk history is not hash-chained.
						""".formatted(POSTING_VILLAGES, POSTING_HOUSEHOLDS));
			this.notes.forEach((note) -> table.append('\n').append(note).append('\n'));
			BenchApplication.writeReport("ledger.md", table);
		}

		private static String postingScript() {
			return """
					\\set h random(0, :hcount - 1)
					\\set v :vmin + :h / :per
					\\set household :hmin + :h
					BEGIN;
					SELECT ids[1] AS hacc, ids[2] AS iacc FROM (SELECT c.last_seq, array(SELECT coalesce((SELECT a.id FROM account a WHERE o.owner_type = 'HOUSEHOLD' AND a.village_id = :v AND a.kind_id = :kind AND a.owner_type = 'HOUSEHOLD' AND a.household_id = o.household AND a.member_id IS NULL AND a.system_role IS NULL), (SELECT a.id FROM account a WHERE o.owner_type = 'MEMBER' AND a.village_id = :v AND a.kind_id = :kind AND a.owner_type = 'MEMBER' AND a.household_id IS NULL AND a.member_id = o.member AND a.system_role IS NULL), (SELECT a.id FROM account a WHERE o.owner_type = 'SYSTEM' AND a.village_id = :v AND a.kind_id = :kind AND a.owner_type = 'SYSTEM' AND a.household_id IS NULL AND a.member_id IS NULL AND a.system_role = o.role)) FROM unnest(ARRAY['HOUSEHOLD', 'SYSTEM']::text[], ARRAY[:household, 0]::bigint[], ARRAY[0, 0]::bigint[], ARRAY['', 'ISSUANCE']::text[]) WITH ORDINALITY AS o(owner_type, household, member, role, position) ORDER BY o.position) AS ids FROM journal_chain c WHERE c.village_id = :v FOR UPDATE OF c) AS locked \\gset
					SELECT id, seq, hash FROM journal_transaction WHERE village_id = :v AND request_id = 'pgbench-' || :client_id || '-' || random();
					WITH leg AS (SELECT * FROM unnest(ARRAY[:hacc, :iacc]::bigint[], ARRAY[5, -5]::bigint[], ARRAY[5, 0]::bigint[]) WITH ORDINALITY AS l(account_id, amount, score_delta, position)), moved AS (UPDATE account a SET available = a.available + leg.amount, score = a.score + leg.score_delta FROM leg, point_kind k WHERE a.id = leg.account_id AND k.id = a.kind_id AND (a.owner_type = 'SYSTEM' OR (k.may_go_negative AND leg.score_delta <> 0) OR leg.amount >= 0 OR a.available + leg.amount >= 0) RETURNING a.id), posted AS (INSERT INTO journal_transaction (village_id, seq, type, memo, request_id, occurred_at, prev_hash, hash, category) SELECT :v, last_seq + 1, 'AWARD', '参加义务劳动 (qin-01 v1)', 'pgbench-' || :client_id || '-' || clock_timestamp() || random(), now(), last_hash, sha256(last_hash || convert_to(clock_timestamp()::text, 'UTF8')), '勤' FROM journal_chain WHERE village_id = :v AND (SELECT count(*) FROM moved) = (SELECT count(*) FROM leg) RETURNING id, seq, hash), entries AS (INSERT INTO journal_entry (transaction_id, account_id, amount, score_delta) SELECT posted.id, leg.account_id, leg.amount, leg.score_delta FROM posted, leg ORDER BY leg.position), chain AS (UPDATE journal_chain SET last_seq = posted.seq, last_hash = posted.hash FROM posted WHERE journal_chain.village_id = :v) SELECT (SELECT id FROM posted) AS tx, (SELECT seq FROM posted) AS seq, coalesce(refused.position, -1) AS refused, coalesce(refused.available, 0) AS available FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT leg.position - 1 AS position, a.available FROM leg JOIN account a ON a.id = leg.account_id WHERE leg.account_id NOT IN (SELECT id FROM moved) ORDER BY leg.position LIMIT 1) AS refused ON true \\gset
					INSERT INTO outbox_event (type, village_id, ordering_key, payload) VALUES ('points.posted', :v, :v, jsonb_build_object('transactionId', :tx, 'villageId', :v, 'seq', :seq, 'kindId', :kind, 'type', 'AWARD', 'legs', jsonb_build_array(jsonb_build_object('accountId', :hacc, 'amount', 5, 'scoreDelta', 5), jsonb_build_object('accountId', :iacc, 'amount', -5, 'scoreDelta', 0)))) RETURNING id;
					COMMIT;
					""";
		}

		private static String historyScript() {
			return """
					\\set household random(:hmin, :hmax)
					SELECT e.id AS entry_id, t.id AS transaction_id, t.occurred_at, k.code, t.type, t.memo, e.amount, e.score_delta, t.request_id FROM journal_entry e JOIN account a ON a.id = e.account_id JOIN point_kind k ON k.id = a.kind_id JOIN journal_transaction t ON t.id = e.transaction_id WHERE a.household_id = :household AND e.id < 9223372036854775807 ORDER BY e.id DESC LIMIT 20;
					""";
		}

		private static String balanceScript() {
			return """
					\\set household random(:hmin, :hmax)
					SELECT k.code, k.name, a.score, a.available, p.month, p.quarter, p.year FROM account a JOIN point_kind k ON k.id = a.kind_id CROSS JOIN LATERAL (SELECT coalesce(sum(e.score_delta) FILTER (WHERE t.occurred_at >= date_trunc('month', now())), 0) AS month, coalesce(sum(e.score_delta) FILTER (WHERE t.occurred_at >= date_trunc('quarter', now())), 0) AS quarter, coalesce(sum(e.score_delta), 0) AS year FROM journal_entry e JOIN journal_transaction t ON t.id = e.transaction_id WHERE e.account_id = a.id AND t.occurred_at >= date_trunc('year', now())) p WHERE a.household_id = :household ORDER BY k.id;
					""";
		}

	}

}
