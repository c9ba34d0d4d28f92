package org.jifen.api.bench;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.jifen.api.embedded.EmbeddedPostgres;
import org.jifen.api.embedded.EmbeddedRedis;
import org.jifen.api.identity.Accounts;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.village.MemberId;
import org.jifen.api.village.Region;
import org.jifen.api.village.RegionLevel;
import org.jifen.api.village.Villages;
import org.jifen.leaderboards.BoardKey;
import org.jifen.leaderboards.Leaderboards;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The boards' benchmark (a command, not a test):
 * {@code ./mvnw -pl api -am -Pbench verify -Dbench.main=org.jifen.api.bench.BoardBenchmark}.
 * Loads a town of 1,000,000 households and one of 10,000 with SQL (or runs on a copy of
 * the {@link SharedDataSet}, which holds them), then measures in the same run:
 * <ul>
 * <li>the rebuild of each town's all-time board from the ledger, as the application does
 * it when a board is missing (the first read after a flush);</li>
 * <li>a villager's read of the top 10 with their own place, through the API, on each
 * board, against the same Redis calls made straight through Lettuce at the same
 * concurrency.</li>
 * </ul>
 * Prints a report table and writes it to {@code api/target/bench/boards.md}.
 */
public final class BoardBenchmark {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final int HOUSEHOLDS_PER_VILLAGE = 500;

	private static final int BIG_VILLAGES = Integer.getInteger("bench.big-villages", 2000);

	private static final int SMALL_VILLAGES = Integer.getInteger("bench.small-villages", 20);

	private static final int CLIENTS = Integer.getInteger("bench.clients", 16);

	private static final String COUNTY = "board-county";

	private static final String SMALL = "small";

	private static final String BIG = "big";

	private static final Duration RUN = Duration.ofSeconds(Long.getLong("bench.seconds", 20));

	private BoardBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		RedisBenchmarkTool.requireInstalled();
		BenchApplication.run(Map.of(), (started) -> {
			EmbeddedRedis redis = started.redis();
			RedisClient client = RedisClient.create("redis://" + redis.host() + ":" + redis.port());
			try (StatefulRedisConnection<String, String> connection = client.connect()) {
				new Run(started.app(), started.postgres(), connection, started.load(),
						new RedisBenchmarkTool(redis.host(), redis.port()))
					.all();
			}
			finally {
				client.shutdown();
			}
		});
	}

	/**
	 * The boards' county: towns of {@link #SMALL_VILLAGES} and {@link #BIG_VILLAGES}
	 * villages, one month of history each, written with SQL.
	 */
	static void seed(ConfigurableApplicationContext app, EmbeddedPostgres postgres) throws Exception {
		Villages villages = app.getBean(Villages.class);
		Region county = villages.createRegion(null, RegionLevel.COUNTY, COUNTY, "测试县").block();
		long kindId = app.getBean(PointKinds.class).defaultKind(county.id()).block().id();
		for (String prefix : List.of(SMALL, BIG)) {
			long started = System.nanoTime();
			int villageCount = prefix.equals(SMALL) ? SMALL_VILLAGES : BIG_VILLAGES;
			Region town = villages.createRegion(county.id(), RegionLevel.TOWN, "town-" + prefix, prefix + "镇").block();
			try (Connection connection = BenchApplication.jdbc(postgres)) {
				BenchCounty.seed(connection, prefix, town.id().value(), kindId, villageCount, HOUSEHOLDS_PER_VILLAGE,
						1);
			}
			System.out.printf(Locale.ROOT, "Seeded %s town: %d households in %.0f s%n", prefix,
					(long) villageCount * HOUSEHOLDS_PER_VILLAGE, (System.nanoTime() - started) / 1e9);
		}
	}

	/** One town's board and the villager who reads it. */
	private record Town(String label, long households, Region region, String token, String ownHousehold) {
	}

	private static final class Run {

		private final ConfigurableApplicationContext app;

		private final EmbeddedPostgres postgres;

		private final StatefulRedisConnection<String, String> redis;

		private final LoadGenerator load;

		private final RedisBenchmarkTool redisBenchmark;

		private final HttpClient http;

		private final List<String[]> rows = new ArrayList<>();

		private final List<String> rebuilds = new ArrayList<>();

		private long kindId;

		Run(ConfigurableApplicationContext app, EmbeddedPostgres postgres,
				StatefulRedisConnection<String, String> redis, LoadGenerator load, RedisBenchmarkTool redisBenchmark) {
			this.app = app;
			this.postgres = postgres;
			this.redis = redis;
			this.load = load;
			this.redisBenchmark = redisBenchmark;
			this.http = load.client(BenchApplication.port(app));
		}

		void all() throws Exception {
			if (!BenchApplication.onSharedData()) {
				seed(this.app, this.postgres);
			}
			this.kindId = this.app.getBean(PointKinds.class)
				.defaultKind(BenchApplication.region(this.app, this.postgres, COUNTY).id())
				.block()
				.id();
			Town small = town(SMALL);
			Town big = town(BIG);
			for (Town town : List.of(small, big)) {
				rebuild(town);
			}
			for (Town town : List.of(small, big)) {
				reads(town);
			}
			report(small, big);
		}

		/** A seeded town, and a villager in its middle signed in. */
		private Town town(String prefix) throws Exception {
			Region town = BenchApplication.region(this.app, this.postgres, "town-" + prefix);
			long households;
			long householdId;
			long memberId;
			try (Connection connection = BenchApplication.jdbc(this.postgres); var sql = connection.createStatement()) {
				try (var count = sql.executeQuery("""
						select count(*) from household h join region r on r.id = h.village_id
						where r.code like '%s-%%'""".formatted(prefix))) {
					count.next();
					households = count.getLong(1);
				}
				try (var middle = sql.executeQuery("""
						select h.id from household h join region r on r.id = h.village_id
						where r.code like '%s-%%' order by h.id offset %d limit 1""".formatted(prefix,
						households / 2))) {
					middle.next();
					householdId = middle.getLong(1);
				}
				try (var member = sql.executeQuery(
						"insert into member (household_id, name, relation, birth_year) values (%d, '读榜人', '户主', 1970) returning id"
							.formatted(householdId))) {
					member.next();
					memberId = member.getLong(1);
				}
			}
			String openid = "dev-openid-" + prefix + "-reader";
			this.app.getBean(Accounts.class).bindVillager(openid, new MemberId(memberId), List.of()).block();
			String token = signIn(prefix + "-reader");
			return new Town(prefix, households, town, token, Long.toString(householdId));
		}

		/**
		 * The first read of a missing board rebuilds it from the ledger: timed from a
		 * flushed Redis, twice.
		 */
		private void rebuild(Town town) {
			for (int round = 1; round <= 2; round++) {
				this.redis.sync().flushall();
				long started = System.nanoTime();
				JsonNode board = read(town);
				double seconds = (System.nanoTime() - started) / 1e9;
				long ranked = board.get("ranked").asLong();
				if (ranked != town.households()) {
					throw new IllegalStateException(
							"The rebuilt board of " + town.label() + " ranks " + ranked + " of " + town.households());
				}
				this.rebuilds.add(String.format(Locale.ROOT, "| %,d households | %d | %.1f s |", town.households(),
						round, seconds));
				System.out.printf(Locale.ROOT, "Rebuilt the %s board (%d households) in %.1f s%n", town.label(), ranked,
						seconds);
			}
		}

		private JsonNode read(Town town) {
			return this.http.headers((headers) -> headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + town.token()))
				.get()
				.uri(path(town))
				.responseSingle((response, body) -> body.asString())
				.map(JSON::readTree)
				.block(Duration.ofMinutes(5));
		}

		private static String path(Town town) {
			return "/api/v1/regions/" + town.region().id().value() + "/boards?period=all&limit=10";
		}

		/**
		 * Top 10 and the villager's own place, through the API and as the raw Redis calls
		 * the API makes for it (the board's size, its top 10 with scores, its size again,
		 * and the around script for the caller), at the same concurrency.
		 */
		private void reads(Town town) throws Exception {
			String path = path(town);
			Leaderboards boards = new Leaderboards(this.redis.reactive());
			BoardKey key = BoardKey.of("region-" + town.region().id().value(), "all", "kind-" + this.kindId);
			LoadGenerator.Request raw = (i) -> boards.count(key)
				.then(boards.top(key, 10).collectList())
				.then(boards.count(key))
				.then(boards.standingOf(key, town.ownHousehold()))
				.thenReturn(200);
			LoadGenerator.Request api = (i) -> this.http
				.headers((headers) -> headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + town.token()))
				.get()
				.uri(path)
				.responseSingle((response, body) -> body.then(Mono.just(response.status().code())));
			String scenario = String.format(Locale.ROOT, "top 10 + own place, %,d households", town.households());
			this.load.closedLoop("warm-up", CLIENTS, Duration.ofSeconds(3), raw);
			LoadGenerator.Result baseline = this.load.closedLoop("raw Redis calls (Lettuce)", CLIENTS, RUN, raw);
			// Long enough for the JIT: a shorter warm-up left the first board measured
			// slower.
			this.load.closedLoop("warm-up", CLIENTS, Duration.ofSeconds(15), api);
			LoadGenerator.Result measured = this.load.closedLoop("GET /regions/{town}/boards", CLIENTS, RUN, api);
			// The same calls as redis-benchmark makes them, without a Java client: the
			// rank
			// of one member stands for the around script.
			String redisKey = "jifen:board:{region-" + town.region().id().value() + "|all|kind-" + this.kindId + "}";
			LoadGenerator.Result redisBenchmark = this.redisBenchmark.sequence(
					"redis-benchmark: ZCARD, ZREVRANGE 0 9 WITHSCORES, ZCARD, ZREVRANK", CLIENTS, 200_000,
					List.of(List.of("ZCARD", redisKey), List.of("ZREVRANGE", redisKey, "0", "9", "WITHSCORES"),
							List.of("ZCARD", redisKey), List.of("ZREVRANK", redisKey, town.ownHousehold())));
			this.rows.add(BenchApplication.row(scenario, redisBenchmark, redisBenchmark, 3));
			this.rows.add(BenchApplication.row(scenario, baseline, redisBenchmark, 3));
			this.rows.add(BenchApplication.row(scenario, measured, redisBenchmark, 3));
			this.rows.add(new String[] { scenario, "API ÷ raw Lettuce calls", "", "", "", "", "", "",
					String.format(Locale.ROOT, "%.3f", measured.throughput() / baseline.throughput()) });
		}

		private String signIn(String name) {
			return BenchApplication.villagerToken(this.http, name).block();
		}

		private void report(Town small, Town big) throws Exception {
			StringBuilder table = new StringBuilder();
			table.append("# Boards benchmark\n\n")
				.append(String.format(Locale.ROOT,
						"%s · towns of %,d and %,d households (all-time board, one kind) · %d clients · %d s runs · "
								+ "%d cores · Java %s%n%n",
						Instant.now(), small.households(), big.households(), CLIENTS, RUN.toSeconds(),
						Runtime.getRuntime().availableProcessors(), Runtime.version()))
				.append(BenchApplication.table(this.rows));
			table.append("\n| rebuild from the ledger (first read after FLUSHALL) | round | time |\n|---|---:|---:|\n");
			this.rebuilds.forEach((line) -> table.append(line).append('\n'));
			table.append("""

					The baseline of each read is the same Redis calls the API makes for it (ZCARD, ZREVRANGE
					WITHSCORES, ZCARD, and ZREVRANK for the around script), run by redis-benchmark with the same
					number of connections: its throughput is that of one read making the four calls in turn, its
					p50 and p99 the sums of the calls'. The ratio column compares with it. The same calls sent
					through Lettuce by the same number of clients are shown too, with the API's ratio to them.
					The API also verifies the token, resolves the caller and their household,
					checks access and names the ten households from PostgreSQL. Targets: the API at least 0.50 of
					the raw calls; the 1,000,000-household board's p99 within 1.5× the 10,000-household board's;
					a 1,000,000-household rebuild under 60 s.
					""");
			table.append('\n')
				.append(BenchApplication.onSharedData()
						? "The towns are the shared data set's (seeded once for every benchmark, each on a copy of its "
								+ "own), in a county of their own; Redis starts empty, so the boards are built here."
						: "The towns were seeded by this benchmark.")
				.append('\n');
			BenchApplication.writeReport("boards.md", table);
		}

	}

}
