package org.jifen.api.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs Redis's own {@code redis-benchmark} against the server the application uses: the
 * raw baseline for a sequence of Redis calls without the application or a Java client
 * around them.
 */
final class RedisBenchmarkTool {

	private final String host;

	private final int port;

	RedisBenchmarkTool(String host, int port) {
		this.host = host;
		this.port = port;
	}

	/** The redis-benchmark on the PATH, or a clear message how to get one. */
	static void requireInstalled() {
		try {
			Process probe = new ProcessBuilder("redis-benchmark", "--version").redirectErrorStream(true).start();
			probe.getInputStream().readAllBytes();
			if (probe.waitFor() != 0) {
				throw new IllegalStateException("redis-benchmark --version failed");
			}
		}
		catch (IOException | InterruptedException ex) {
			throw new IllegalStateException(
					"redis-benchmark is not installed; on Debian or Ubuntu: apt-get install redis-tools", ex);
		}
	}

	/**
	 * Runs each command {@code requests} times with {@code clients} connections, one
	 * command after the other, and sums them as one read that makes all of them in turn:
	 * its throughput is the harmonic sum of the commands' throughputs, its p50 and p99
	 * the sums of theirs (an upper bound: the tails of separate commands rarely
	 * coincide). redis-benchmark reports no p999.
	 */
	LoadGenerator.Result sequence(String name, int clients, int requests, List<List<String>> commands)
			throws IOException, InterruptedException {
		double secondsPerRead = 0;
		double p50 = 0;
		double p99 = 0;
		for (List<String> command : commands) {
			double[] figures = run(clients, requests, command);
			secondsPerRead += 1 / figures[0];
			p50 += figures[1];
			p99 += figures[2];
		}
		return new LoadGenerator.Result(name, requests, requests * secondsPerRead, 0, p50, p99, Double.NaN);
	}

	/** Requests per second, p50 ms and p99 ms of one command. */
	private double[] run(int clients, int requests, List<String> command) throws IOException, InterruptedException {
		List<String> line = new ArrayList<>(List.of("redis-benchmark", "-h", this.host, "-p", String.valueOf(this.port),
				"-c", String.valueOf(clients), "-n", String.valueOf(requests), "--csv"));
		line.addAll(command);
		Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (process.waitFor() != 0) {
			throw new IllegalStateException("redis-benchmark failed: " + output);
		}
		// "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
		String[] lines = output.strip().split("\n");
		String[] fields = lines[lines.length - 1].replace("\"", "").split(",");
		if (fields.length < 8) {
			throw new IllegalStateException("Unexpected redis-benchmark output: " + output);
		}
		return new double[] { Double.parseDouble(fields[1]), Double.parseDouble(fields[4]),
				Double.parseDouble(fields[6]) };
	}

}
