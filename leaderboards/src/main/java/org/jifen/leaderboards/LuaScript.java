package org.jifen.leaderboards;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import reactor.core.publisher.Flux;

/**
 * A Lua script run by its digest, sending the source only when the server has not cached
 * it yet (after a restart, a {@code SCRIPT FLUSH}, or on a cluster node that never saw
 * it). {@code EVAL} caches the script, so the next run is by digest again.
 */
final class LuaScript {

	private final String source;

	private final String digest;

	private final ScriptOutputType outputType;

	LuaScript(RedisClusterReactiveCommands<String, String> redis, String source, ScriptOutputType outputType) {
		this.source = source;
		this.digest = redis.digest(source);
		this.outputType = outputType;
	}

	<T> Flux<T> run(RedisClusterReactiveCommands<String, String> redis, String[] keys, String... arguments) {
		return redis.<T>evalsha(this.digest, this.outputType, keys, arguments)
			.onErrorResume(RedisNoScriptException.class,
					(notCached) -> redis.eval(this.source, this.outputType, keys, arguments));
	}

}
