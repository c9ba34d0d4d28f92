package org.jifen.api.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every benchmark in one command, one report:
 * {@code ./mvnw -pl api -am -Pbench verify -Dbench.main=org.jifen.api.bench.AllBenchmarks}.
 * Runs each feature's benchmark in a JVM of its own, one after the other (so that no run
 * shares the 2 cores with another), each against fresh embedded servers with its own
 * baselines measured in the same run, and gathers their tables into
 * {@code api/target/bench/all.md} and {@code docs/benchmarks/latest.md}.
 */
public final class AllBenchmarks {

	/** The benchmarks, in the order they run, with the report each writes. */
	private static final List<String[]> BENCHMARKS = List.of(
			new String[] { "LedgerBenchmark", "ledger.md", "Ledger: effective postings, balance reads" },
			new String[] { "BoardBenchmark", "boards.md", "Boards: 1,000,000- and 10,000-household boards" },
			new String[] { "TaskBenchmark", "tasks.md", "Volunteer tasks: the grab storm" },
			new String[] { "MerchantBenchmark", "merchants.md", "Merchants: code issuance and verification" },
			new String[] { "NotificationBenchmark", "notifications.md", "Live stream fan-out" });

	private AllBenchmarks() {
	}

	public static void main(String[] args) throws Exception {
		Pgbench.requireInstalled();
		RedisBenchmarkTool.requireInstalled();
		Instant started = Instant.now();
		StringBuilder report = new StringBuilder("# Jifen benchmark report\n\n");
		report.append(String.format(Locale.ROOT, "%s · %d cores · Java %s · load average at the start %.2f%n%n",
				started, Runtime.getRuntime().availableProcessors(), Runtime.version(), loadAverage()));
		report.append("""
				Each section below is one feature's benchmark, run in its own JVM on fresh embedded
				PostgreSQL and Redis, one after the other. Every figure is compared with a raw baseline
				measured in the same run on the same machine (pgbench for SQL, redis-benchmark or the raw
				Lettuce calls for Redis, an empty HTTP endpoint for HTTP); the ratio column is throughput
				over that baseline's.

				""");
		List<String> failed = new ArrayList<>();
		for (String[] benchmark : BENCHMARKS) {
			long begun = System.nanoTime();
			int exit = run("org.jifen.api.bench." + benchmark[0]);
			Duration took = Duration.ofNanos(System.nanoTime() - begun);
			report.append("## ").append(benchmark[2]).append("\n\n");
			Path written = Path.of("target", "bench", benchmark[1]);
			if (exit != 0 || !Files.exists(written)) {
				failed.add(benchmark[0]);
				report.append("`").append(benchmark[0]).append("` failed (exit ").append(exit).append(").\n\n");
				continue;
			}
			// Each report's own title gives way to the section heading above.
			String section = Files.readString(written, StandardCharsets.UTF_8).replaceFirst("^# [^\n]*\n+", "");
			report.append(section.replaceAll("(?m)^## ", "### ").strip())
				.append(String.format(Locale.ROOT, "%n%n_%s ran for %d min %d s._%n%n", benchmark[0], took.toMinutes(),
						took.toSecondsPart()));
		}
		report.append(String.format(Locale.ROOT, "Load average at the end %.2f.%n", loadAverage()));
		BenchApplication.writeReport("all.md", report);
		Path docs = Path.of("..", "docs", "benchmarks");
		if (Files.isDirectory(docs)) {
			Files.writeString(docs.resolve("latest.md"), report, StandardCharsets.UTF_8);
			System.out.println("Written to " + docs.resolve("latest.md").toAbsolutePath().normalize());
		}
		if (!failed.isEmpty()) {
			System.err.println("Failed: " + String.join(", ", failed));
			System.exit(1);
		}
		System.exit(0);
	}

	/**
	 * One benchmark in a JVM of its own, with this JVM's options ({@code -Dbench.*} and
	 * the heap) and classpath; its output goes to ours.
	 */
	private static int run(String mainClass) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(mainClass);
		System.out.println("Running " + mainClass);
		return new ProcessBuilder(command).inheritIO().start().waitFor();
	}

	private static double loadAverage() {
		return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
	}

}
