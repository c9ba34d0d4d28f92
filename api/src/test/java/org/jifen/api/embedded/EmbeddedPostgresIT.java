package org.jifen.api.embedded;

import java.nio.file.Path;
import java.sql.DriverManager;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded default keeps its data across a restart, so a trial is not wiped by
 * accident.
 */
class EmbeddedPostgresIT {

	@Test
	void dataSurvivesARestart(@TempDir Path dataDirectory) throws Exception {
		try (EmbeddedPostgres first = EmbeddedPostgres.start(dataDirectory, "jifen");
				var connection = DriverManager.getConnection(first.jdbcUrl(), first.user(), "");
				var statement = connection.createStatement()) {
			statement.execute("create table note (text text)");
			statement.execute("insert into note values ('孝老爱亲')");
		}

		try (EmbeddedPostgres second = EmbeddedPostgres.start(dataDirectory, "jifen");
				var connection = DriverManager.getConnection(second.jdbcUrl(), second.user(), "");
				var rows = connection.createStatement().executeQuery("select text from note")) {
			assertThat(rows.next()).isTrue();
			assertThat(rows.getString(1)).isEqualTo("孝老爱亲");
		}
	}

	@Test
	void flywayFollowsTheR2dbcUrl() {
		assertThat(FlywayUrls.fromR2dbc("r2dbc:postgresql://db.example:5433/jifen?sslmode=require"))
			.isEqualTo("jdbc:postgresql://db.example:5433/jifen?sslmode=require");
		assertThat(FlywayUrls.fromR2dbc("r2dbc:pool:postgresql://db/jifen")).isEqualTo("jdbc:postgresql://db/jifen");
	}

}
