package org.jifen.leaderboards;

import java.io.IOException;
import java.net.ServerSocket;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import reactor.blockhound.BlockHound;
import redis.embedded.RedisServer;

/**
 * The real Redis every integration test talks to, started once per test run: a
 * Testcontainers container when a Docker engine answers, otherwise the Redis server
 * binary shipped in codemonstur's embedded-redis. {@code -Djifen.test.services=embedded}
 * (or {@code containers}) forces a choice. BlockHound is installed with it, so a blocking
 * call on a non-blocking thread fails the test.
 */
final class RealRedis {

	private static RealRedis instance;

	private final String description;

	private final RedisClient client;

	private RealRedis(String description, String host, int port) {
		this.description = description;
		this.client = RedisClient.create("redis://" + host + ":" + port);
	}

	static synchronized RealRedis get() {
		if (instance == null) {
			// Lettuce guards each connection's writes with a lock held for microseconds.
			// If BlockHound
			// threw while a thread waited for it, the lock would be left broken and the
			// next close
			// would spin for ever, so waiting there is allowed.
			BlockHound.install((builder) -> builder
				.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "incrementWriters")
				.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "doExclusive"));
			instance = useContainer() ? container() : embedded();
			Runtime.getRuntime().addShutdownHook(new Thread(instance.client::shutdown));
			System.out.println("Integration tests use " + instance.description);
		}
		return instance;
	}

	/** A new connection; the caller closes it. */
	StatefulRedisConnection<String, String> connect() {
		return this.client.connect();
	}

	/** Empties the whole keyspace. */
	void flushAll() {
		try (var connection = connect()) {
			connection.sync().flushall();
		}
	}

	private static boolean useContainer() {
		String choice = System.getProperty("jifen.test.services", "auto");
		if (choice.equals("embedded")) {
			return false;
		}
		if (choice.equals("containers")) {
			return true;
		}
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	@SuppressWarnings("resource") // stopped by Testcontainers' reaper when the JVM ends
	private static RealRedis container() {
		var redis = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
		redis.start();
		return new RealRedis("Testcontainers (" + redis.getContainerName() + ")", redis.getHost(),
				redis.getMappedPort(6379));
	}

	private static RealRedis embedded() {
		try {
			int port = freePort();
			RedisServer server = RedisServer.newRedisServer()
				.port(port)
				.bind("127.0.0.1")
				.setting("save \"\"")
				.setting("appendonly no")
				.build();
			server.start();
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				try {
					server.stop();
				}
				catch (IOException ex) {
					throw new IllegalStateException("Could not stop the embedded Redis", ex);
				}
			}));
			return new RealRedis("the embedded Redis on port " + port, "127.0.0.1", port);
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

}
