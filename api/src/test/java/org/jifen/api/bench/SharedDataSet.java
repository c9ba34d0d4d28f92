package org.jifen.api.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.jifen.api.embedded.EmbeddedPostgres;
import org.jifen.api.embedded.EmbeddedRedis;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The data set every benchmark of {@link AllBenchmarks} runs on, seeded once: the county
 * of {@link LedgerBenchmark#seed} (300 villages, 150,000 households, a year of history)
 * and the boards' towns of {@link BoardBenchmark#seed} (1,000,000 and 10,000 households).
 * {@code main} writes it into the database {@value #SEED_DATABASE} of a PostgreSQL data
 * directory ({@code -Dbench.shared-data}); each benchmark then gets a copy of it of its
 * own ({@link #open}), so that none measures on what another one wrote.
 */
public final class SharedDataSet {

	/** The seeded database, the template of every benchmark's copy. */
	static final String SEED_DATABASE = "jifen_seed";

	/** The county of the ledger's data set, its villages coded {@code bench-<n>}. */
	static final String COUNTY = "bench-county";

	static final String TOWN = "bench-town";

	private SharedDataSet() {
	}

	/**
	 * Seeds the data set afresh into {@code -Dbench.shared-data} (by default
	 * {@code target/bench/shared-data}) and writes {@code target/bench/shared-data.md}.
	 */
	public static void main(String[] args) throws Exception {
		Path directory = Path.of(System.getProperty(BenchApplication.SHARED_DATA, "target/bench/shared-data"));
		deleteRecursively(directory);
		Path work = Files.createTempDirectory("jifen-seed");
		long started = System.nanoTime();
		StringBuilder report = new StringBuilder("# Shared data set\n\n");
		try (EmbeddedPostgres postgres = EmbeddedPostgres.start(directory.resolve("postgres"), SEED_DATABASE);
				EmbeddedRedis redis = EmbeddedRedis.start()) {
			ConfigurableApplicationContext app = BenchApplication.start(postgres, redis, work, Map.of());
			try {
				LedgerBenchmark.seed(app, postgres);
				BoardBenchmark.seed(app, postgres);
			}
			finally {
				app.close();
			}
			double seconds = (System.nanoTime() - started) / 1e9;
			System.out.printf(Locale.ROOT, "Seeded the shared data set in %.0f s%n", seconds);
			try (Connection connection = BenchApplication.jdbc(postgres);
					var sizes = connection.createStatement().executeQuery("""
							select (select count(*) from region where level = 'VILLAGE'),
							       (select count(*) from household),
							       (select count(*) from journal_transaction),
							       pg_database_size(current_database()) / 1048576""")) {
				sizes.next();
				report.append(String.format(Locale.ROOT,
						"Seeded once, in %.0f s (the application migrating an empty database, then SQL): %,d villages, "
								+ "%,d households, %,d journal transactions, %,d MiB. Each benchmark below runs on "
								+ "a copy of it of its own (`CREATE DATABASE … TEMPLATE`).%n",
						seconds, sizes.getLong(1), sizes.getLong(2), sizes.getLong(3), sizes.getLong(4)));
			}
		}
		BenchApplication.writeReport("shared-data.md", report);
		System.exit(0);
	}

	/**
	 * Starts PostgreSQL on the shared data directory with a fresh copy of the seeded
	 * database as the benchmark's database.
	 */
	static EmbeddedPostgres open(Path directory) throws SQLException {
		long started = System.nanoTime();
		EmbeddedPostgres postgres = EmbeddedPostgres.start(directory.resolve("postgres"), BenchApplication.DATABASE);
		try (Connection connection = DriverManager
			.getConnection("jdbc:postgresql://localhost:" + postgres.port() + "/postgres", postgres.user(), "");
				Statement sql = connection.createStatement()) {
			sql.execute("drop database " + BenchApplication.DATABASE);
			// A file copy rather than the default WAL-logged one: faster for gigabytes.
			sql.execute("create database " + BenchApplication.DATABASE + " template " + SEED_DATABASE
					+ " strategy file_copy");
		}
		catch (SQLException ex) {
			postgres.close();
			throw ex;
		}
		System.out.printf(Locale.ROOT, "Copied the shared data set in %.0f s%n", (System.nanoTime() - started) / 1e9);
		return postgres;
	}

	/**
	 * The first {@code count} villages of the county (fewer if it has fewer), as a list
	 * for SQL's {@code in}.
	 */
	static String countyVillages(Connection connection, int count) throws SQLException {
		List<String> ids = new ArrayList<>();
		try (var rows = connection.createStatement()
			.executeQuery("""
					select id from region where level = 'VILLAGE' and code like 'bench-%%' order by id limit %d"""
				.formatted(count))) {
			while (rows.next()) {
				ids.add(rows.getString(1));
			}
		}
		return String.join(",", ids);
	}

	/**
	 * Gives the first {@code perVillage} households of each village a member of their own
	 * (the head, written with SQL: the register is not what is measured), and lists them
	 * as {household, member, village}, the villages taking turns.
	 */
	static List<long[]> members(Connection connection, String villageIds, int perVillage) throws SQLException {
		try (Statement sql = connection.createStatement()) {
			sql.execute("""
					insert into member (household_id, name, relation, birth_year)
					select id, head_name, '户主', 1960 from (
					    select h.id, h.head_name, row_number() over (partition by h.village_id order by h.id) n
					    from household h where h.village_id in (%s)) h
					where n <= %d""".formatted(villageIds, perVillage));
			List<long[]> members = new ArrayList<>();
			try (var rows = sql.executeQuery("""
					select h.id, m.id, h.village_id from household h join member m on m.household_id = h.id
					where h.village_id in (%s)
					order by row_number() over (partition by h.village_id order by h.id), h.village_id"""
				.formatted(villageIds))) {
				while (rows.next()) {
					members.add(new long[] { rows.getLong(1), rows.getLong(2), rows.getLong(3) });
				}
			}
			return members;
		}
	}

	private static void deleteRecursively(Path directory) throws IOException {
		if (!Files.exists(directory)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(directory)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.delete(path);
			}
		}
	}

}
