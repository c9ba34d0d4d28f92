package org.jifen.api.boards;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import io.lettuce.core.codec.StringCodec;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.leaderboards.Leaderboards;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The leaderboards library on its own Lettuce connection to the Redis Spring Boot is
 * configured for (standalone). The connection is made on first use, not at start-up, so
 * the application starts (and serves balances and history) while Redis is down; a failed
 * attempt is not remembered, the next use tries again.
 */
@Configuration(proxyBeanMethods = false)
class BoardsConfiguration {

	@Bean
	RedisURI boardsRedisUri(DataRedisConnectionDetails details,
			@Value("${spring.data.redis.timeout:2s}") Duration timeout) {
		DataRedisConnectionDetails.Standalone standalone = details.getStandalone();
		RedisURI.Builder uri = RedisURI.builder()
			.withHost(standalone.getHost())
			.withPort(standalone.getPort())
			.withDatabase(standalone.getDatabase())
			// The same command timeout as Spring's own Redis client, not Lettuce's
			// minute.
			.withTimeout(timeout);
		if (details.getPassword() != null) {
			if (details.getUsername() != null) {
				uri.withAuthentication(details.getUsername(), details.getPassword());
			}
			else {
				uri.withPassword(details.getPassword().toCharArray());
			}
		}
		return uri.build();
	}

	/**
	 * A client with the options every Lettuce client of the application gets (see
	 * {@code shared.RedisConfiguration}: commands refused at once while Redis is away).
	 */
	@Bean(destroyMethod = "shutdown")
	RedisClient boardsRedisClient(RedisURI boardsRedisUri,
			ObjectProvider<LettuceClientOptionsBuilderCustomizer> customizers) {
		RedisClient client = RedisClient.create(boardsRedisUri);
		ClientOptions.Builder options = ClientOptions.builder();
		customizers.orderedStream().forEach((customizer) -> customizer.customize(options));
		client.setOptions(options.build());
		return client;
	}

	@Bean
	Leaderboards leaderboards(RedisClient boardsRedisClient, RedisURI boardsRedisUri) {
		Mono<RedisReactiveCommands<String, String>> connection = Mono
			.fromCompletionStage(() -> boardsRedisClient.connectAsync(StringCodec.UTF8, boardsRedisUri))
			.map(StatefulRedisConnection::reactive)
			.cache((connected) -> Duration.ofDays(3650), (failed) -> Duration.ZERO, () -> Duration.ZERO);
		return new Leaderboards(lazy(connection));
	}

	/**
	 * Reactive commands that connect when first called: each call waits for the (cached)
	 * connection and then runs on it.
	 */
	@SuppressWarnings("unchecked")
	private static RedisClusterReactiveCommands<String, String> lazy(
			Mono<RedisReactiveCommands<String, String>> connection) {
		InvocationHandler handler = (proxy, method, arguments) -> {
			if (method.getDeclaringClass() == Object.class) {
				return method.invoke(connection, arguments);
			}
			if (method.getName().equals("digest") && arguments.length == 1 && arguments[0] instanceof String script) {
				// A script's SHA-1, computed here as Lettuce does, without a connection.
				return HexFormat.of()
					.formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
			}
			if (Flux.class.isAssignableFrom(method.getReturnType())) {
				return connection.flatMapMany((commands) -> (Flux<Object>) invoke(method, commands, arguments));
			}
			if (Mono.class.isAssignableFrom(method.getReturnType())) {
				return connection.flatMap((commands) -> (Mono<Object>) invoke(method, commands, arguments));
			}
			throw new UnsupportedOperationException(method.getName() + " is not reactive");
		};
		return (RedisClusterReactiveCommands<String, String>) Proxy.newProxyInstance(
				BoardsConfiguration.class.getClassLoader(), new Class<?>[] { RedisClusterReactiveCommands.class },
				handler);
	}

	private static Object invoke(Method method, Object target, Object[] arguments) {
		try {
			return method.invoke(target, arguments);
		}
		catch (InvocationTargetException ex) {
			throw (ex.getCause() instanceof RuntimeException runtime) ? runtime : new IllegalStateException(ex);
		}
		catch (IllegalAccessException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
