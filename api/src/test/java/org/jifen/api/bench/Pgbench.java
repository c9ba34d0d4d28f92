package org.jifen.api.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs PostgreSQL's own {@code pgbench} against the same server the application uses: the
 * raw baseline for what one SQL transaction costs without the application around it.
 * Latencies come from pgbench's per-transaction log.
 */
final class Pgbench {

	private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");

	private final String host;

	private final int port;

	private final String user;

	private final String database;

	private final Path work;

	Pgbench(String host, int port, String user, String database, Path work) {
		this.host = host;
		this.port = port;
		this.user = user;
		this.database = database;
		this.work = work;
	}

	/** The pgbench on the PATH, or a clear message how to get one. */
	static void requireInstalled() {
		try {
			Process probe = new ProcessBuilder("pgbench", "--version").redirectErrorStream(true).start();
			if (probe.waitFor() != 0) {
				throw new IllegalStateException("pgbench --version failed");
			}
		}
		catch (IOException | InterruptedException ex) {
			throw new IllegalStateException(
					"pgbench is not installed; on Debian or Ubuntu: apt-get install postgresql-client (or postgresql-contrib)",
					ex);
		}
	}

	/**
	 * Runs {@code script} with {@code clients} connections for {@code duration}, at most
	 * {@code rate} transactions per second when rate is positive (latency then counts
	 * from the scheduled start, like the open-loop HTTP load).
	 */
	LoadGenerator.Result run(String name, String script, Map<String, Object> variables, int clients, int rate,
			Duration duration) throws IOException, InterruptedException {
		Path directory = Files.createTempDirectory(this.work, "pgbench");
		Path file = directory.resolve("script.sql");
		Files.writeString(file, script, StandardCharsets.UTF_8);
		List<String> command = new ArrayList<>(List.of("pgbench", "-n", "-h", this.host, "-p",
				String.valueOf(this.port), "-U", this.user, "-c", String.valueOf(clients), "-j",
				String.valueOf(Math.min(clients, 2)), "-T", String.valueOf(duration.toSeconds()), "-f", file.toString(),
				"-l", "--log-prefix=" + directory.resolve("tx")));
		if (rate > 0) {
			command.add("-R");
			command.add(String.valueOf(rate));
		}
		variables.forEach((key, value) -> {
			command.add("-D");
			command.add(key + "=" + value);
		});
		command.add(this.database);
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (process.waitFor() != 0) {
			throw new IllegalStateException("pgbench failed:\n" + output);
		}
		Matcher tps = TPS.matcher(output);
		if (!tps.find()) {
			throw new IllegalStateException("pgbench printed no tps:\n" + output);
		}
		long[] latencies = transactionLog(directory);
		int failed = output.contains("number of failed transactions: 0") || !output.contains("failed transactions") ? 0
				: -1;
		double seconds = latencies.length / Double.parseDouble(tps.group(1));
		return LoadGenerator.Result.of(name, latencies, latencies.length, seconds, failed);
	}

	/**
	 * Per-transaction latencies from pgbench's log files: the elapsed time (third column,
	 * microseconds) plus, under a rate limit, the lag behind the schedule (seventh).
	 */
	private static long[] transactionLog(Path directory) throws IOException {
		List<Long> latencies = new ArrayList<>();
		try (Stream<Path> files = Files.list(directory)) {
			for (Path log : files.filter((path) -> path.getFileName().toString().startsWith("tx")).toList()) {
				for (String line : Files.readAllLines(log)) {
					String[] columns = line.split(" ");
					if (columns.length > 2) {
						long lag = (columns.length > 6) ? Long.parseLong(columns[6]) : 0;
						latencies.add((Long.parseLong(columns[2]) + lag) * 1000);
					}
				}
			}
		}
		return latencies.stream().mapToLong(Long::longValue).toArray();
	}

}
