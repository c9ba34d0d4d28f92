package org.jifen.api.support;

import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/**
 * The SQL statements the application sends while it is open, as R2DBC PostgreSQL logs
 * them: what a request costs the database, for tests that keep that cost down.
 */
public final class StatementLog implements AutoCloseable {

	private final Logger logger = (Logger) LoggerFactory.getLogger("io.r2dbc.postgresql.QUERY");

	private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

	private StatementLog() {
		this.appender.start();
		this.logger.addAppender(this.appender);
		this.logger.setLevel(Level.DEBUG);
	}

	public static StatementLog open() {
		return new StatementLog();
	}

	/** The statements sent since the last call, whitespace folded. */
	public List<String> take() {
		// Statements are logged on the connections' threads while the test reads them.
		synchronized (this.appender) {
			List<String> statements = this.appender.list.stream()
				.map((event) -> event.getFormattedMessage().replaceAll("\\s+", " "))
				.toList();
			this.appender.list.clear();
			return statements;
		}
	}

	@Override
	public void close() {
		this.logger.detachAppender(this.appender);
		this.logger.setLevel(null);
	}

}
