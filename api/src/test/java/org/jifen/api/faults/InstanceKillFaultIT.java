package org.jifen.api.faults;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.jifen.api.faults.Traffic.Answer;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.RealServices;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An API instance killed with SIGKILL in the middle of the load: the application runs as
 * its own JVM (the boot jar this build made) on the suite's PostgreSQL and Redis; clients
 * drive it until it is killed, with requests in flight. A second instance is started and
 * every change not acknowledged is retried against it with its own
 * {@code Idempotency-Key}. Afterwards each change is in the database exactly once and the
 * ledger verifies.
 */
class InstanceKillFaultIT extends IntegrationTest {

	private final List<Process> instances = new ArrayList<>();

	private final Map<Process, Integer> ports = new HashMap<>();

	@LocalServerPort
	private int port;

	@Autowired
	private ApplicationContext application;

	@AfterEach
	void killWhatIsLeft() {
		this.instances.forEach(Process::destroyForcibly);
	}

	@Test
	void aKilledInstancesUnansweredRequestsLandExactlyOnceWhenRetriedOnAnother() throws Exception {
		Traffic traffic = new Traffic("http://localhost:" + this.port);
		VillageLoad load = new VillageLoad("kill-fault", traffic, this.http, this.application);

		Process first = start("first");
		traffic.target(baseUrl(first));
		load.start(6);
		// Past the cold start: the instance is busy with a steady load when it dies.
		await().atMost(Duration.ofMinutes(2)).until(() -> traffic.acknowledged() >= 150);
		// SIGKILL (Process.destroyForcibly on Linux): no shutdown hook, no graceful
		// drain; its sockets and open transactions just end.
		first.destroyForcibly();
		assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
		assertThat(first.exitValue()).as("killed by signal 9").isEqualTo(128 + 9);
		load.stop();
		System.out.println("Traffic until the kill:" + traffic.summary());

		assertThat(traffic.answers()).as("requests cut off in flight by the kill")
			.anyMatch((answer) -> answer.status() == Traffic.CUT_OFF);
		assertThat(traffic.unexpected()).as("answers neither 2xx nor a 503 problem, before the kill")
			.allMatch(InstanceKillFaultIT::lostWithTheInstance);

		Process second = start("second");
		traffic.target(baseUrl(second));
		load.settle();
		assertThat(traffic.unexpected("idempotency-request-in-progress"))
			.as("answers other than 2xx, a lost connection or a key still locked")
			.allMatch(InstanceKillFaultIT::lostWithTheInstance);
		load.proveExactlyOnce(services()::count);
		load.proveBoardsMatchTheLedger(services()::count);
	}

	private static boolean lostWithTheInstance(Answer answer) {
		return answer.status() == Traffic.NO_ANSWER || answer.status() == Traffic.CUT_OFF;
	}

	private String baseUrl(Process instance) {
		return "http://localhost:" + this.ports.get(instance);
	}

	/** Starts the boot jar on the suite's services and waits until it is ready. */
	private Process start(String name) throws IOException {
		RealServices services = services();
		int port = freePort();
		Path log = Path.of("target", "fault-instance-" + name + ".log");
		List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
				"-XX:TieredStopAtLevel=1", "-jar", bootJar().toString(), "--server.port=" + port,
				"--jifen.embedded.enabled=false", "--jifen.demo.enabled=false",
				"--spring.r2dbc.url=" + services.r2dbcUrl(), "--spring.r2dbc.username=" + services.user(),
				"--spring.r2dbc.password=" + services.password(), "--spring.flyway.url=" + services.jdbcUrl(),
				"--spring.flyway.user=" + services.user(), "--spring.flyway.password=" + services.password(),
				"--spring.data.redis.host=" + services.redisHost(), "--spring.data.redis.port=" + services.redisPort(),
				"--jifen.identity.jwt.key-file=" + absolute("target/test-keys/jwt-signing-key.pem"),
				"--jifen.privacy.key-file=" + absolute("target/test-keys/personal-data.keys"),
				"--jifen.evidence.dir=" + absolute("target/test-evidence"), "--jifen.rate-limits.sign-in=1000000",
				"--jifen.rate-limits.posting=1000000");
		Process instance = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		this.instances.add(instance);
		this.ports.put(instance, port);
		HttpClient http = HttpClient.newHttpClient();
		await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
			assertThat(instance.isAlive()).as("instance %s is running (see %s)", name, log).isTrue();
			try {
				return http
					.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health/readiness"))
						.build(), HttpResponse.BodyHandlers.discarding())
					.statusCode() == 200;
			}
			catch (IOException ex) {
				return false;
			}
		});
		return instance;
	}

	private static Path bootJar() throws IOException {
		try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of("target"), "jifen-api-*-exec.jar")) {
			for (Path jar : jars) {
				return jar.toAbsolutePath();
			}
		}
		throw new IllegalStateException("No boot jar in target/: run this suite through Maven's verify (package "
				+ "comes first), e.g. ./mvnw -pl api -am -Pfaults verify");
	}

	private static String absolute(String path) {
		return new File(path).getAbsolutePath();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
