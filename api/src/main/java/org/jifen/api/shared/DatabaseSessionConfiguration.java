package org.jifen.api.shared;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.r2dbc.postgresql.PostgresqlConnectionFactoryProvider;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.r2dbc.autoconfigure.ConnectionFactoryOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Settings of every database session the application opens. A transaction left open and
 * idle, by an instance cut off from the network mid-request, is ended by the server after
 * {@code jifen.database.idle-transaction-timeout} instead of holding its locks (a
 * village's journal chain, a member's checkout) until TCP gives up. Server options given
 * in the URL or in {@code spring.r2dbc.properties.options} are kept; this one is added
 * unless they set it.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseSessionConfiguration {

	private static final String IDLE_TRANSACTION_TIMEOUT = "idle_in_transaction_session_timeout";

	@Bean
	ConnectionFactoryOptionsBuilderCustomizer sessionSettings(
			@Value("${jifen.database.idle-transaction-timeout:60s}") Duration idleTransactionTimeout) {
		return (builder) -> {
			Map<String, String> options = options(
					builder.build().getValue(PostgresqlConnectionFactoryProvider.OPTIONS));
			options.putIfAbsent(IDLE_TRANSACTION_TIMEOUT, idleTransactionTimeout.toMillis() + "ms");
			builder.option(PostgresqlConnectionFactoryProvider.OPTIONS, options);
		};
	}

	/**
	 * The server options already given: a map, or from a URL's {@code options} the text
	 * form the driver reads ({@code key=value;key=value}).
	 */
	static Map<String, String> options(@Nullable Object given) {
		Map<String, String> options = new LinkedHashMap<>();
		if (given instanceof Map<?, ?> map) {
			map.forEach((key, value) -> options.put(String.valueOf(key), String.valueOf(value)));
		}
		else if (given != null) {
			for (String option : given.toString().split(";")) {
				int equals = option.indexOf('=');
				if (equals > 0) {
					options.put(option.substring(0, equals).strip(), option.substring(equals + 1).strip());
				}
			}
		}
		return options;
	}

}
