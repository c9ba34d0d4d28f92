package org.jifen.api.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.json.JsonMapper;

import org.jifen.api.JifenApplication;
import org.jifen.api.embedded.EmbeddedPostgres;
import org.jifen.api.embedded.EmbeddedRedis;
import org.jifen.api.village.Region;
import org.jifen.api.village.RegionId;
import org.jifen.api.village.Villages;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What every benchmark shares: the application on the embedded servers, a JDBC connection
 * for seeding, and the report's number formats.
 */
final class BenchApplication {

	/**
	 * The system property naming the {@link SharedDataSet}'s directory: set, a benchmark
	 * runs on a copy of that data set instead of seeding its own.
	 */
	static final String SHARED_DATA = "bench.shared-data";

	/** The benchmark's database, whichever way it was filled. */
	static final String DATABASE = "jifen_bench";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private BenchApplication() {
	}

	/** The application on a random port, demo off, keys and photos under {@code work}. */
	static ConfigurableApplicationContext start(EmbeddedPostgres postgres, EmbeddedRedis redis, Path work,
			Map<String, String> extra) {
		Map<String, Object> properties = new HashMap<>(Map.ofEntries(Map.entry("server.port", "0"),
				Map.entry("jifen.embedded.enabled", "false"), Map.entry("jifen.demo.enabled", "false"),
				Map.entry("spring.r2dbc.url", postgres.r2dbcUrl()), Map.entry("spring.r2dbc.username", postgres.user()),
				Map.entry("spring.flyway.url", postgres.jdbcUrl()), Map.entry("spring.flyway.user", postgres.user()),
				Map.entry("spring.data.redis.host", redis.host()),
				Map.entry("spring.data.redis.port", String.valueOf(redis.port())),
				Map.entry("jifen.identity.jwt.key-file", work.resolve("keys/jwt.pem").toString()),
				Map.entry("jifen.privacy.key-file", work.resolve("keys/personal-data.keys").toString()),
				Map.entry("jifen.evidence.dir", work.resolve("evidence").toString()),
				Map.entry("logging.level.root", "WARN"),
				// A load generator is one user at machine speed; the budgets are for
				// people.
				Map.entry("jifen.rate-limits.sign-in", "100000000"),
				Map.entry("jifen.rate-limits.posting", "100000000"),
				Map.entry("jifen.rate-limits.code-verification", "100000000")));
		properties.putAll(extra);
		// As arguments, not default properties, which lose to application.yaml (its
		// ${PORT:8080}, its rate budgets).
		return new SpringApplicationBuilder(JifenApplication.class).run(properties.entrySet()
			.stream()
			.map((property) -> "--" + property.getKey() + "=" + property.getValue())
			.toArray(String[]::new));
	}

	/**
	 * What a benchmark gets: the application, its servers, a load generator, a folder.
	 */
	record Started(ConfigurableApplicationContext app, EmbeddedPostgres postgres, EmbeddedRedis redis,
			LoadGenerator load, Path work) {
	}

	/** A benchmark's measurements, given what was started for it. */
	interface Body {

		void run(Started started) throws Exception;

	}

	/**
	 * Starts embedded PostgreSQL (on a copy of the shared data set when
	 * {@code -Dbench.shared-data} is set, else empty) and a fresh Redis, the application
	 * on them with {@code extra} settings and a load generator; runs the benchmark; stops
	 * everything and exits the JVM (the servers' and Netty's threads would keep it
	 * alive).
	 */
	static void run(Map<String, String> extra, Body body) throws Exception {
		Path work = Files.createTempDirectory("jifen-bench");
		Path shared = sharedData();
		try (EmbeddedPostgres postgres = (shared != null) ? SharedDataSet.open(shared)
				: EmbeddedPostgres.start(work.resolve("postgres"), DATABASE);
				EmbeddedRedis redis = EmbeddedRedis.start();
				LoadGenerator load = new LoadGenerator()) {
			ConfigurableApplicationContext app = start(postgres, redis, work, extra);
			try {
				body.run(new Started(app, postgres, redis, load, work));
			}
			finally {
				app.close();
			}
		}
		System.exit(0);
	}

	/** The shared data set's directory, or null when each benchmark seeds its own. */
	static @Nullable Path sharedData() {
		String directory = System.getProperty(SHARED_DATA);
		return (directory == null || directory.isBlank()) ? null : Path.of(directory);
	}

	static boolean onSharedData() {
		return sharedData() != null;
	}

	/** The region of the given code, which the seeding made. */
	static Region region(ConfigurableApplicationContext app, EmbeddedPostgres postgres, String code)
			throws SQLException {
		try (Connection connection = jdbc(postgres);
				var statement = connection.prepareStatement("select id from region where code = ?")) {
			statement.setString(1, code);
			try (var id = statement.executeQuery()) {
				if (!id.next()) {
					throw new IllegalStateException("No region " + code + " in the data set");
				}
				return app.getBean(Villages.class).region(new RegionId(id.getLong(1))).block();
			}
		}
	}

	/** An HTTP client of the load generator, aimed at the application. */
	static HttpClient client(ConfigurableApplicationContext app, LoadGenerator load) {
		return load.client(port(app));
	}

	static int port(ConfigurableApplicationContext app) {
		return Integer.parseInt(app.getEnvironment().getProperty("local.server.port", "8080"));
	}

	/** Signs a staff account in with its password; the access token. */
	static Mono<String> staffToken(HttpClient http, String username, String password) {
		return signIn(http, "/api/v1/auth/login",
				"{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}", username);
	}

	/**
	 * Signs a villager in through the mini-program login with the dev code of
	 * {@code dev-openid-<name>}; the access token.
	 */
	static Mono<String> villagerToken(HttpClient http, String name) {
		return signIn(http, "/api/v1/auth/wechat", "{\"code\":\"dev-" + name + "\"}", name);
	}

	private static Mono<String> signIn(HttpClient http, String path, String body, String who) {
		return http.headers((headers) -> headers.set(HttpHeaderNames.CONTENT_TYPE, "application/json"))
			.post()
			.uri(path)
			.send(ByteBufFlux.fromString(Mono.just(body)))
			.responseSingle((response, text) -> text.asString().map((answer) -> {
				if (response.status().code() != 200) {
					throw new IllegalStateException("Sign-in of " + who + " answered " + response.status());
				}
				return JSON.readTree(answer).get("accessToken").asString();
			}));
	}

	/** The report's table header and its rows. */
	static String table(List<String[]> rows) {
		StringBuilder table = new StringBuilder(
				"| scenario | measured | count | per second | p50 ms | p99 ms | p999 ms | failures | ratio to baseline |\n"
						+ "|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
		for (String[] row : rows) {
			table.append("| ").append(String.join(" | ", row)).append(" |\n");
		}
		return table.toString();
	}

	/** Prints the report and writes it to {@code target/bench/<file>}. */
	static void writeReport(String file, CharSequence report) throws IOException {
		System.out.println();
		System.out.println(report);
		Path written = Path.of("target", "bench", file);
		Files.createDirectories(written.getParent());
		Files.writeString(written, report.toString(), StandardCharsets.UTF_8);
		System.out.println("Written to " + written.toAbsolutePath());
	}

	/** What the relay delivered while a benchmark waited for it. */
	record Drained(long events, double seconds) {

		double perSecond() {
			return this.events / Math.max(this.seconds, 0.001);
		}

	}

	/**
	 * Waits (at most {@code max}) for the relay to deliver every pending outbox event, so
	 * that a phase does not pay for the backlog of the one before.
	 */
	static Drained awaitOutboxDrained(EmbeddedPostgres postgres, Duration max) throws Exception {
		long started = System.nanoTime();
		try (Connection connection = jdbc(postgres)) {
			long pending = pendingEvents(connection);
			long left = pending;
			while (left > 0 && System.nanoTime() - started < max.toNanos()) {
				Thread.sleep(200);
				left = pendingEvents(connection);
			}
			return new Drained(pending - left, (System.nanoTime() - started) / 1e9);
		}
	}

	/** Outbox events not delivered yet. */
	static long pendingEvents(Connection connection) throws SQLException {
		try (var count = connection.createStatement()
			.executeQuery("select count(*) from outbox_event where status = 'PENDING'")) {
			count.next();
			return count.getLong(1);
		}
	}

	static Connection jdbc(EmbeddedPostgres postgres) throws SQLException {
		return DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "");
	}

	/**
	 * A report row: scenario, what was measured, count, per second, p50/p99/p999 and the
	 * ratio to the baseline with {@code ratioDigits} decimals.
	 */
	static String[] row(String scenario, LoadGenerator.Result result, LoadGenerator.Result baseline, int ratioDigits) {
		return new String[] { scenario, result.name(), String.valueOf(result.requests()),
				String.format(Locale.ROOT, "%.0f", result.throughput()), ms(result.p50()), ms(result.p99()),
				ms(result.p999()), String.valueOf(result.failures()),
				String.format(Locale.ROOT, "%." + ratioDigits + "f", result.throughput() / baseline.throughput()) };
	}

	static String ms(double value) {
		return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.2f", value);
	}

}
