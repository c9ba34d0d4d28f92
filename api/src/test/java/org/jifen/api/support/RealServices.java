package org.jifen.api.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import io.lettuce.core.RedisClient;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

import org.jifen.api.embedded.EmbeddedPostgres;
import org.jifen.api.embedded.EmbeddedRedis;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The real PostgreSQL and Redis every integration test talks to, started once per test
 * run: Testcontainers when a Docker engine answers, otherwise the same embedded servers
 * the application's default uses. {@code -Djifen.test.services=embedded} (or
 * {@code containers}) forces a choice.
 */
public final class RealServices {

	private static RealServices instance;

	private final String description;

	private final String jdbcUrl;

	private final String user;

	private final String password;

	private final String redisHost;

	private final int redisPort;

	private RealServices(String description, String jdbcUrl, String user, String password, String redisHost,
			int redisPort) {
		this.description = description;
		this.jdbcUrl = jdbcUrl;
		this.user = user;
		this.password = password;
		this.redisHost = redisHost;
		this.redisPort = redisPort;
	}

	public static synchronized RealServices get() {
		if (instance == null) {
			instance = useContainers() ? containers() : embedded();
			System.out.println("Integration tests use " + instance.description);
		}
		return instance;
	}

	private static boolean useContainers() {
		String choice = System.getProperty("jifen.test.services", "auto");
		if (choice.equals("embedded")) {
			return false;
		}
		if (choice.equals("containers")) {
			return true;
		}
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	@SuppressWarnings("resource") // stopped by Testcontainers' reaper when the JVM ends
	private static RealServices containers() {
		var postgres = new PostgreSQLContainer("postgres:17-alpine");
		postgres.start();
		var redis = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
		redis.start();
		return new RealServices("Testcontainers (" + postgres.getJdbcUrl() + ")", postgres.getJdbcUrl(),
				postgres.getUsername(), postgres.getPassword(), redis.getHost(), redis.getMappedPort(6379));
	}

	private static RealServices embedded() {
		try {
			Path dataDirectory = Files.createTempDirectory("jifen-test-postgres");
			EmbeddedPostgres postgres = EmbeddedPostgres.start(dataDirectory, "jifen_test");
			EmbeddedRedis redis = EmbeddedRedis.start();
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				redis.close();
				postgres.close();
			}));
			return new RealServices("embedded servers (" + postgres.jdbcUrl() + ")", postgres.jdbcUrl(),
					postgres.user(), "", redis.host(), redis.port());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public String jdbcUrl() {
		return this.jdbcUrl;
	}

	public String r2dbcUrl() {
		return this.jdbcUrl.replaceFirst("^jdbc:", "r2dbc:");
	}

	public String user() {
		return this.user;
	}

	public String password() {
		return this.password;
	}

	public String redisHost() {
		return this.redisHost;
	}

	public int redisPort() {
		return this.redisPort;
	}

	/**
	 * Opens a plain JDBC connection for test set-up and checks (never used by the
	 * application).
	 */
	public Connection jdbc() throws SQLException {
		return DriverManager.getConnection(this.jdbcUrl, this.user, this.password);
	}

	/** Runs a query whose rows are one number each, e.g. ids. */
	public List<Long> ids(String sql, Object... parameters) {
		return column(sql, Long.class, parameters);
	}

	/** Runs a query whose rows are one text each, e.g. names. */
	public List<String> names(String sql, Object... parameters) {
		return column(sql, String.class, parameters);
	}

	private <T> List<T> column(String sql, Class<T> type, Object... parameters) {
		try (Connection connection = jdbc(); var query = connection.prepareStatement(sql)) {
			for (int i = 0; i < parameters.length; i++) {
				query.setObject(i + 1, parameters[i]);
			}
			var rows = query.executeQuery();
			List<T> values = new ArrayList<>();
			while (rows.next()) {
				values.add(rows.getObject(1, type));
			}
			return values;
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not run " + sql, ex);
		}
	}

	/**
	 * Runs a {@code select count(*) ...} with positional parameters, for checks after the
	 * fact.
	 */
	public long count(String sql, Object... parameters) {
		try (Connection connection = jdbc()) {
			return count(connection, sql, parameters);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not run " + sql, ex);
		}
	}

	/** {@link #count(String, Object...)} on a PostgreSQL of a test's own. */
	public static long count(EmbeddedPostgres postgres, String sql, Object... parameters) {
		try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "")) {
			return count(connection, sql, parameters);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not run " + sql, ex);
		}
	}

	private static long count(Connection connection, String sql, Object... parameters) throws SQLException {
		try (var query = connection.prepareStatement(sql)) {
			for (int i = 0; i < parameters.length; i++) {
				query.setObject(i + 1, parameters[i]);
			}
			var rows = query.executeQuery();
			rows.next();
			return rows.getLong(1);
		}
	}

	/**
	 * Points the application at a PostgreSQL of a test's own (one the test stops and
	 * starts).
	 */
	public static void useDatabase(DynamicPropertyRegistry registry, EmbeddedPostgres postgres) {
		registry.add("spring.r2dbc.url", postgres::r2dbcUrl);
		registry.add("spring.r2dbc.username", postgres::user);
		registry.add("spring.flyway.url", postgres::jdbcUrl);
		registry.add("spring.flyway.user", postgres::user);
	}

	/**
	 * Empties every application table and the Redis keyspace, leaving the schema in
	 * place. Ids keep counting, as in production: an id never names two things, which the
	 * application's kept ancestries rely on across test classes sharing a context.
	 */
	public void wipe() {
		// The relay and the schedulers of other cached test contexts keep working while a
		// class wipes; TRUNCATE takes every table's lock in turn and can deadlock with
		// them (PostgreSQL then aborts one side), and their pools can briefly hold every
		// connection slot. Both pass, so a few retries get through.
		for (int attempt = 1;; attempt++) {
			try {
				truncateAll();
				break;
			}
			catch (SQLException ex) {
				if (attempt == 10) {
					throw new IllegalStateException("Could not wipe the test database", ex);
				}
				pause(attempt * 100L);
			}
		}
		flushRedis();
	}

	private void truncateAll() throws SQLException {
		try (Connection connection = jdbc(); Statement statement = connection.createStatement()) {
			List<String> tables = new ArrayList<>();
			var rows = statement.executeQuery("""
					select tablename from pg_tables
					where schemaname = 'public' and tablename <> 'flyway_schema_history'""");
			while (rows.next()) {
				tables.add('"' + rows.getString(1) + '"');
			}
			if (!tables.isEmpty()) {
				statement.execute("set lock_timeout = '5s'");
				statement.execute("truncate " + String.join(", ", tables) + " cascade");
			}
		}
	}

	private static void pause(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while wiping the test database", ex);
		}
	}

	/** FLUSHALL: Redis holds derived data only, so this must lose nothing. */
	public void flushRedis() {
		RedisClient client = RedisClient.create("redis://" + this.redisHost + ":" + this.redisPort);
		try (var connection = client.connect()) {
			connection.sync().flushall();
		}
		finally {
			client.shutdown();
		}
	}

}
