package org.jifen.api.embedded;

import java.io.IOException;
import java.net.ServerSocket;

import redis.embedded.RedisServer;

/**
 * A real Redis server run from the binary shipped in a Maven artifact. It keeps nothing
 * on disk: Redis holds only derived state, rebuilt from PostgreSQL.
 */
public final class EmbeddedRedis implements AutoCloseable {

	private final RedisServer server;

	private final int port;

	private EmbeddedRedis(RedisServer server, int port) {
		this.server = server;
		this.port = port;
	}

	/** Starts a server on a free loopback port. */
	public static EmbeddedRedis start() {
		try {
			return start(freePort());
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not find a free port for the embedded Redis", ex);
		}
	}

	/**
	 * Starts a server on the given loopback port, for example to bring one back where its
	 * clients expect it after a stop (empty: it keeps nothing).
	 */
	public static EmbeddedRedis start(int port) {
		try {
			var server = RedisServer.newRedisServer()
				.port(port)
				.bind("127.0.0.1")
				.setting("save \"\"")
				.setting("appendonly no")
				.build();
			server.start();
			return new EmbeddedRedis(server, port);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not start the embedded Redis", ex);
		}
	}

	private static int freePort() throws IOException {
		try (var socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	public String host() {
		return "127.0.0.1";
	}

	public int port() {
		return this.port;
	}

	@Override
	public void close() {
		try {
			this.server.stop();
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not stop the embedded Redis", ex);
		}
	}

}
