package org.jifen.api.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import org.jifen.api.JifenApplication;
import org.jifen.api.embedded.EmbeddedPostgres;
import org.jifen.api.embedded.EmbeddedRedis;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What every benchmark shares: the application on the embedded servers, a JDBC connection
 * for seeding, and the report's number formats.
 */
final class BenchApplication {

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
				Map.entry("logging.level.root", "WARN")));
		properties.putAll(extra);
		return new SpringApplicationBuilder(JifenApplication.class).properties(properties).run();
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
