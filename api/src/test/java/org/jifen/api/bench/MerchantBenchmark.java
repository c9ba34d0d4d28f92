package org.jifen.api.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.json.JsonMapper;

import org.jifen.api.embedded.EmbeddedPostgres;
import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Caller;
import org.jifen.api.identity.Grant;
import org.jifen.api.identity.Role;
import org.jifen.api.ledger.Ledger;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.ledger.Posting;
import org.jifen.api.merchants.Merchants;
import org.jifen.api.merchants.Offer;
import org.jifen.api.village.HouseholdId;
import org.jifen.api.village.Region;
import org.jifen.api.village.RegionId;
import org.jifen.api.village.RegionLevel;
import org.jifen.api.village.Villages;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The checkout's benchmark (a command, not a test):
 * {@code ./mvnw -pl api -am -Pbench verify -Dbench.main=org.jifen.api.bench.MerchantBenchmark}.
 * Starts the application on embedded PostgreSQL and Redis, seeds a county with
 * {@link #VILLAGES} villages of households holding points (or takes them from a copy of
 * the {@link SharedDataSet}) and one merchant serving them all, and measures in the same
 * run, over HTTP on loopback:
 * <ul>
 * <li>code issuance (an admin asking codes on villagers' behalf, QR token plus 6-digit
 * fallback in Redis), closed loop;</li>
 * <li>verification at the till (signature, expiry, single use, eligibility, uses, and the
 * HOLD posting) at {@link #RATE} requests per second, open loop, and at full speed;</li>
 * <li>the raw baseline: an empty HTTP endpoint on the same machine, at the same rate and
 * at full speed.</li>
 * </ul>
 * Prints a report and writes it to {@code api/target/bench/merchants.md}.
 */
public final class MerchantBenchmark {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final int VILLAGES = Integer.getInteger("bench.merchant-villages", 8);

	private static final int HOUSEHOLDS = Integer.getInteger("bench.merchant-households", 2000);

	/** Verifications per second of the open loop. */
	private static final int RATE = Integer.getInteger("bench.merchant-rate", 200);

	private static final Duration RUN = Duration.ofSeconds(Integer.getInteger("bench.merchant-seconds", 20));

	private static final int CLIENTS = Integer.getInteger("bench.merchant-clients", 16);

	private MerchantBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		// Codes and holds outlive the run: expiry and the void job are not what is
		// measured.
		BenchApplication.run(Map.of("jifen.merchants.hold-timeout", "1h", "jifen.merchants.code-validity", "1h"),
				(started) -> new Run(started.app(), started.postgres(), started.load()).all());
	}

	private static final class Run {

		private final ConfigurableApplicationContext app;

		private final EmbeddedPostgres postgres;

		private final LoadGenerator load;

		private final HttpClient http;

		private final List<long[]> members = new ArrayList<>();

		private final ConcurrentLinkedQueue<String> codes = new ConcurrentLinkedQueue<>();

		private final List<String[]> rows = new ArrayList<>();

		private final List<String> notes = new ArrayList<>();

		private String adminToken;

		private String tillToken;

		private long merchant;

		private long offer;

		private String loadAtStart = "?";

		private int villageCount;

		Run(ConfigurableApplicationContext app, EmbeddedPostgres postgres, LoadGenerator load) {
			this.app = app;
			this.postgres = postgres;
			this.load = load;
			int port = BenchApplication.port(app);
			this.http = load.client(port);
		}

		void all() throws Exception {
			this.loadAtStart = loadAverage();
			long seeding = System.nanoTime();
			seed();
			System.out.printf(Locale.ROOT, "Seeded %d households in %d villages in %.0f s%n", this.members.size(),
					this.villageCount, (System.nanoTime() - seeding) / 1e9);

			LoadGenerator.Request issue = (i) -> {
				long[] member = this.members.get(i % this.members.size());
				return this.http
					.headers((headers) -> headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + this.adminToken))
					.post()
					.uri("/api/v1/members/" + member[1] + "/offers/" + this.offer + "/codes")
					.responseSingle((response, body) -> body.asString().defaultIfEmpty("").map((text) -> {
						if (response.status().code() == 201) {
							this.codes.add(JSON.readTree(text).get("code").asString());
						}
						return response.status().code();
					}));
			};
			LoadGenerator.Request verify = (i) -> {
				String code = this.codes.poll();
				if (code == null) {
					return Mono.just(-1);
				}
				return this.http
					.headers((headers) -> headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + this.tillToken)
						.set(HttpHeaderNames.CONTENT_TYPE, "application/json"))
					.post()
					.uri("/api/v1/merchants/" + this.merchant + "/redemptions")
					.send(ByteBufFlux.fromString(Mono.just("{\"code\":\"" + code + "\",\"billFen\":2000}")))
					.responseSingle((response,
							body) -> body.asString().defaultIfEmpty("").thenReturn(response.status().code()));
			};
			int atRate = RATE * (int) RUN.toSeconds();
			// Enough verifications for the JIT to compile their path: a till runs all
			// day,
			// and its first minute's compiling is not what is measured.
			int warm = 4000;
			this.load.closedLoop("warm-up", CLIENTS, warm, issue);
			this.load.closedLoop("warm-up", CLIENTS, warm * 3 / 4, verify);
			this.codes.clear();
			settle("the seeding and the warm-up");
			LoadGenerator.Result issued = this.load.closedLoop("code issuance (token + fallback)", CLIENTS,
					atRate + atRate / 2 + 2000, issue);
			System.out.printf(Locale.ROOT, "%d codes ready%n", this.codes.size());
			LoadGenerator.Result verifyAtRate = this.load.openLoop("verification + hold", RATE, RUN, verify);
			settle("verification at " + RATE + "/s");
			LoadGenerator.Result verifyAtHalf = this.load.openLoop("verification + hold", RATE / 2, RUN, verify);
			settle("verification at " + RATE / 2 + "/s");
			LoadGenerator.Result verifyFull = this.load.closedLoop("verification + hold", CLIENTS,
					Math.min(this.codes.size(), 2000), verify);
			settle("verification at full speed");

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
					.send(ByteBufFlux.fromString(Mono.just("{\"code\":\"x\",\"billFen\":2000}")))
					.responseSingle((response,
							body) -> body.asString().defaultIfEmpty("").thenReturn(response.status().code()));
				this.load.closedLoop("warm-up", CLIENTS, Duration.ofSeconds(3), nothing);
				LoadGenerator.Result emptyAtRate = this.load.openLoop("empty HTTP endpoint", RATE, RUN, nothing);
				LoadGenerator.Result emptyAtHalf = this.load.openLoop("empty HTTP endpoint", RATE / 2, RUN, nothing);
				LoadGenerator.Result emptyFull = this.load.closedLoop("empty HTTP endpoint", CLIENTS, RUN, nothing);
				row("Code issuance, " + CLIENTS + " clients", issued, emptyFull);
				row("Verification at " + RATE + "/s", verifyAtRate, emptyAtRate);
				row("Verification at " + RATE + "/s", emptyAtRate, emptyAtRate);
				row("Verification at " + RATE / 2 + "/s", verifyAtHalf, emptyAtHalf);
				row("Verification at " + RATE / 2 + "/s", emptyAtHalf, emptyAtHalf);
				row("Verification, " + CLIENTS + " clients", verifyFull, emptyFull);
				row("Verification, " + CLIENTS + " clients", emptyFull, emptyFull);
			}
			finally {
				empty.disposeNow();
			}
			try (Connection connection = BenchApplication.jdbc(this.postgres);
					var rows = connection.createStatement().executeQuery("select count(*) from redemption")) {
				rows.next();
				System.out.printf(Locale.ROOT, "%d redemptions held%n", rows.getLong(1));
			}
			report(verifyAtRate);
		}

		/**
		 * Households holding points, each with a member: the first {@link #VILLAGES}
		 * villages of the shared county (their points from its history), or villages and
		 * households written here with SQL and given 100 points each through the ledger.
		 * Then a merchant serving the county with one offer, a county admin and a till
		 * signed in.
		 */
		private void seed() throws Exception {
			Region county;
			Region town;
			if (BenchApplication.onSharedData()) {
				county = BenchApplication.region(this.app, this.postgres, SharedDataSet.COUNTY);
				town = BenchApplication.region(this.app, this.postgres, SharedDataSet.TOWN);
				try (Connection connection = BenchApplication.jdbc(this.postgres)) {
					String ids = SharedDataSet.countyVillages(connection, VILLAGES);
					this.villageCount = ids.split(",").length;
					this.members.addAll(SharedDataSet.members(connection, ids, HOUSEHOLDS / VILLAGES));
				}
			}
			else {
				Villages villages = this.app.getBean(Villages.class);
				county = villages.createRegion(null, RegionLevel.COUNTY, "bench-county", "测试县").block();
				town = villages.createRegion(county.id(), RegionLevel.TOWN, "bench-town", "测试镇").block();
				List<Long> villageIds = new ArrayList<>();
				for (int v = 0; v < VILLAGES; v++) {
					villageIds
						.add(villages.createRegion(town.id(), RegionLevel.VILLAGE, "bench-village-" + v, "测试村" + v)
							.block()
							.id()
							.value());
				}
				String ids = String.join(",", villageIds.stream().map(String::valueOf).toList());
				try (Connection connection = BenchApplication.jdbc(this.postgres);
						var sql = connection.createStatement()) {
					sql.execute("""
							insert into household (village_id, number, head_name)
							select r.id, lpad(g::text, 5, '0'), '户主' || g
							from region r cross join generate_series(1, %d) g where r.id in (%s)"""
						.formatted(HOUSEHOLDS / VILLAGES, ids));
					this.members.addAll(SharedDataSet.members(connection, ids, HOUSEHOLDS / VILLAGES));
				}
				this.villageCount = VILLAGES;
				Ledger ledger = this.app.getBean(Ledger.class);
				long kind = this.app.getBean(PointKinds.class).defaultKind(county.id()).block().id();
				Flux.fromIterable(this.members)
					.flatMap((member) -> ledger.post(Posting.award(new RegionId(member[2]), kind,
							new HouseholdId(member[0]), 100, "参加义务劳动", null)), 8)
					.blockLast();
				try (Connection connection = BenchApplication.jdbc(this.postgres);
						var sql = connection.createStatement()) {
					// As after any bulk load: the planner's figures for the tables just
					// filled, which autovacuum would gather only later.
					sql.execute("analyze");
				}
			}

			Accounts accounts = this.app.getBean(Accounts.class);
			String password = "bench-password-123";
			List<Grant> countyGrant = List.of(Grant.inRegion(Role.COUNTY_ADMIN, county.id().value()));
			long adminId = accounts.createStaff("bench-county-admin", "县管理员", password, countyGrant).block();
			Caller admin = new Caller(adminId, null, "县管理员", countyGrant);
			Merchants merchants = this.app.getBean(Merchants.class);
			this.merchant = merchants.enrol(admin, town.id(), "测试德益超市", List.of(county.id().value())).block().id();
			this.offer = merchants
				.createOffer(admin, this.merchant,
						new Offer(0, this.merchant, "理发", Offer.Type.AMOUNT_OFF, null, null, 1500L, null, null, 1, null,
								0, null, null, null, null, null, "general", false, true))
				.block()
				.id();
			merchants.addStaff(admin, this.merchant, "bench-till", "收银员", password).block();
			this.adminToken = login("bench-county-admin", password);
			this.tillToken = login("bench-till", password);
		}

		private String login(String username, String password) {
			return BenchApplication.staffToken(this.http, username, password).block();
		}

		/**
		 * Waits for the relay to deliver what a phase left (each hold's event), so that
		 * the next phase does not pay for it, and notes how much that was.
		 */
		private void settle(String phase) throws Exception {
			BenchApplication.Drained drained = BenchApplication.awaitOutboxDrained(this.postgres,
					Duration.ofMinutes(5));
			String note = String.format(Locale.ROOT,
					"After %s the relay had %d events left to deliver; it delivered them in %.1f s.", phase,
					drained.events(), drained.seconds());
			System.out.println(note);
			this.notes.add(note);
		}

		private void row(String scenario, LoadGenerator.Result result, LoadGenerator.Result baseline) {
			this.rows.add(BenchApplication.row(scenario, result, baseline, 3));
		}

		private void report(LoadGenerator.Result verifyAtRate) throws Exception {
			StringBuilder table = new StringBuilder();
			table.append("# Merchant checkout benchmark\n\n")
				.append(String.format(Locale.ROOT,
						"%s · %d villages, %d households with points · one merchant serving the county · "
								+ "%d clients in the closed loops, %d/s for %d s in the open loops · %d cores · "
								+ "Java %s · load average at the start %s, at the end %s%n%n",
						Instant.now(), this.villageCount, this.members.size(), CLIENTS, RATE, RUN.toSeconds(),
						Runtime.getRuntime().availableProcessors(), Runtime.version(), this.loadAtStart, loadAverage()))
				.append(BenchApplication.table(this.rows));
			table.append(String.format(Locale.ROOT, """

					Verification is `POST /api/v1/merchants/{id}/redemptions` with a scanned code and a bill: the
					code's signature, expiry and single use, that the merchant serves the village, eligibility
					(stars read from the board, score, balance, uses in the period), then in one transaction the
					member's lock, the redemption row (unique nonce) and the HOLD posting on the village's
					journal chain. Each request uses a fresh code issued before the run, spread over the
					households of every village. Issuance is `POST /api/v1/members/{id}/offers/{offer}/codes`
					by a county admin (代办): eligibility, signing and the 6-digit fallback stored in Redis. The
					open loop counts latency from when each request was due. The baseline is an empty HTTP
					endpoint on its own Reactor Netty server on the same machine, the same body, at the same rate
					and with the same clients; the ratio column is throughput over the baseline's. Target: p99 of
					verification at %d/s under 50 ms — measured %.2f ms.
					""", RATE, verifyAtRate.p99()));
			table.append('\n')
				.append(BenchApplication.onSharedData()
						? "The villages are the first of the shared data set's county (seeded once for every "
								+ "benchmark, each on a copy of its own), their households holding the points of its "
								+ "year of history; each was given a member here, and the merchant, offer and staff are "
								+ "this benchmark's."
						: "The villages and households, 100 points each, are this benchmark's own.")
				.append('\n');
			table.append('\n');
			this.notes.forEach((note) -> table.append("- ").append(note).append('\n'));
			BenchApplication.writeReport("merchants.md", table);
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
