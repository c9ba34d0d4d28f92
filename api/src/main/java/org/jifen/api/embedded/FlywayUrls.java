package org.jifen.api.embedded;

/**
 * Turns an R2DBC PostgreSQL URL into the JDBC URL Flyway needs for its start-up
 * migration.
 */
final class FlywayUrls {

	private FlywayUrls() {
	}

	static String fromR2dbc(String r2dbcUrl) {
		String rest = r2dbcUrl.replaceFirst("^r2dbcs?:(pool:)?postgres(ql)?://", "");
		if (rest.equals(r2dbcUrl)) {
			throw new IllegalArgumentException("Not an R2DBC PostgreSQL URL: " + r2dbcUrl);
		}
		return "jdbc:postgresql://" + rest;
	}

}
