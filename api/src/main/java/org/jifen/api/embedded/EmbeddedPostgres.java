package org.jifen.api.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL server run from the binaries shipped in a Maven artifact. Its data
 * directory survives a restart unless the caller asks for a throw-away one.
 */
public final class EmbeddedPostgres implements AutoCloseable {

	private static final String USER = "postgres";

	private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;

	private final String database;

	private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server, String database) {
		this.server = server;
		this.database = database;
	}

	/**
	 * Starts a server on a free port with its data in {@code dataDirectory} and makes
	 * sure {@code database} exists.
	 */
	public static EmbeddedPostgres start(Path dataDirectory, String database) {
		return start(dataDirectory, database, 0);
	}

	/**
	 * Starts a server on the given port (a free one for 0), for example to bring one back
	 * where its clients expect it after a stop.
	 */
	public static EmbeddedPostgres start(Path dataDirectory, String database, int port) {
		try {
			Files.createDirectories(dataDirectory);
			var builder = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder();
			if (port > 0) {
				builder.setPort(port);
			}
			var server = builder.setDataDirectory(dataDirectory)
				.setCleanDataDirectory(false)
				.setServerConfig("max_connections", "300")
				.setServerConfig("timezone", "UTC")
				.start();
			var postgres = new EmbeddedPostgres(server, database);
			postgres.createDatabaseIfMissing();
			return postgres;
		}
		catch (IOException | SQLException ex) {
			throw new IllegalStateException("Could not start the embedded PostgreSQL in " + dataDirectory, ex);
		}
	}

	private void createDatabaseIfMissing() throws SQLException {
		try (Connection connection = this.server.getPostgresDatabase().getConnection();
				Statement statement = connection.createStatement()) {
			var exists = statement.executeQuery("select 1 from pg_database where datname = '" + this.database + "'");
			if (!exists.next()) {
				statement.execute("create database \"" + this.database + "\"");
			}
		}
	}

	public int port() {
		return this.server.getPort();
	}

	public String user() {
		return USER;
	}

	public String r2dbcUrl() {
		return "r2dbc:postgresql://localhost:" + port() + "/" + this.database;
	}

	public String jdbcUrl() {
		return "jdbc:postgresql://localhost:" + port() + "/" + this.database;
	}

	@Override
	public void close() {
		try {
			this.server.close();
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not stop the embedded PostgreSQL", ex);
		}
	}

}
