package org.jifen.api.boards;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;

import org.jifen.leaderboards.Leaderboards;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The leaderboards library on its own Lettuce connection to the Redis Spring Boot is
 * configured for (standalone), closed at shutdown.
 */
@Configuration(proxyBeanMethods = false)
class BoardsConfiguration {

	@Bean(destroyMethod = "shutdown")
	RedisClient boardsRedisClient(DataRedisConnectionDetails details) {
		DataRedisConnectionDetails.Standalone standalone = details.getStandalone();
		RedisURI.Builder uri = RedisURI.builder()
			.withHost(standalone.getHost())
			.withPort(standalone.getPort())
			.withDatabase(standalone.getDatabase());
		if (details.getPassword() != null) {
			if (details.getUsername() != null) {
				uri.withAuthentication(details.getUsername(), details.getPassword());
			}
			else {
				uri.withPassword(details.getPassword().toCharArray());
			}
		}
		return RedisClient.create(uri.build());
	}

	@Bean(destroyMethod = "close")
	StatefulRedisConnection<String, String> boardsRedisConnection(RedisClient boardsRedisClient) {
		return boardsRedisClient.connect();
	}

	@Bean
	Leaderboards leaderboards(StatefulRedisConnection<String, String> boardsRedisConnection) {
		return new Leaderboards(boardsRedisConnection.reactive());
	}

}
