package org.jifen.api.embedded;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.commons.logging.Log;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts an embedded PostgreSQL and an embedded Redis when no database or Redis is
 * configured, and points the application at them. It also derives Flyway's JDBC
 * connection from the R2DBC one, so that one URL configures both.
 *
 * <p>
 * Runs before the application context exists, which is why it starts the servers itself
 * and stops them from a shutdown hook.
 */
class EmbeddedServicesEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	private static final String PROPERTY_SOURCE = "jifenEmbeddedServices";

	private final Log log;

	EmbeddedServicesEnvironmentPostProcessor(DeferredLogFactory logFactory) {
		this.log = logFactory.getLog(EmbeddedServicesEnvironmentPostProcessor.class);
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (environment.getPropertySources().contains(PROPERTY_SOURCE)) {
			return;
		}
		Map<String, Object> properties = new LinkedHashMap<>();
		boolean embedded = environment.getProperty("jifen.embedded.enabled", Boolean.class, true);
		if (embedded && !environment.containsProperty("spring.r2dbc.url")) {
			Path dataDirectory = Path.of(environment.getProperty("jifen.embedded.data-dir",
					Path.of(System.getProperty("user.home"), ".jifen", "postgres").toString()));
			this.log.info("No database configured: starting the embedded PostgreSQL with its data in " + dataDirectory);
			EmbeddedPostgres postgres = EmbeddedPostgres.start(dataDirectory, "jifen");
			stopOnShutdown(postgres);
			properties.put("spring.r2dbc.url", postgres.r2dbcUrl());
			properties.put("spring.r2dbc.username", postgres.user());
			properties.put("spring.r2dbc.password", "");
			properties.put("jifen.demo.enabled", environment.getProperty("jifen.demo.enabled", "true"));
			// Keys are generated on first start and kept beside the data, so tokens and
			// sealed
			// personal data survive a restart.
			Path keys = dataDirectory.toAbsolutePath().getParent().resolve("keys");
			if (!environment.containsProperty("jifen.identity.jwt.private-key")) {
				properties.putIfAbsent("jifen.identity.jwt.key-file", environment
					.getProperty("jifen.identity.jwt.key-file", keys.resolve("jwt-signing-key.pem").toString()));
			}
			if (!environment.containsProperty("jifen.privacy.encryption-key")) {
				properties.putIfAbsent("jifen.privacy.key-file", environment.getProperty("jifen.privacy.key-file",
						keys.resolve("personal-data.keys").toString()));
			}
		}
		if (embedded && !environment.containsProperty("spring.data.redis.host")
				&& !environment.containsProperty("spring.data.redis.url")) {
			this.log.info("No Redis configured: starting the embedded Redis");
			EmbeddedRedis redis = EmbeddedRedis.start();
			stopOnShutdown(redis);
			properties.put("spring.data.redis.host", redis.host());
			properties.put("spring.data.redis.port", redis.port());
		}
		deriveFlywayConnection(environment, properties);
		environment.getPropertySources().addFirst(new MapPropertySource(PROPERTY_SOURCE, properties));
	}

	private void deriveFlywayConnection(ConfigurableEnvironment environment, Map<String, Object> properties) {
		if (environment.containsProperty("spring.flyway.url")) {
			return;
		}
		Object r2dbcUrl = properties.getOrDefault("spring.r2dbc.url", environment.getProperty("spring.r2dbc.url"));
		if (r2dbcUrl == null) {
			return;
		}
		properties.put("spring.flyway.url", FlywayUrls.fromR2dbc(r2dbcUrl.toString()));
		properties.put("spring.flyway.user",
				properties.getOrDefault("spring.r2dbc.username", environment.getProperty("spring.r2dbc.username", "")));
		properties.put("spring.flyway.password",
				properties.getOrDefault("spring.r2dbc.password", environment.getProperty("spring.r2dbc.password", "")));
	}

	private static void stopOnShutdown(AutoCloseable server) {
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			try {
				server.close();
			}
			catch (Exception ex) {
				// The JVM is going away; nothing useful is left to do with the failure.
			}
		}, "jifen-embedded-shutdown"));
	}

	@Override
	public int getOrder() {
		// After configuration files and environment variables are loaded.
		return Ordered.LOWEST_PRECEDENCE;
	}

}
