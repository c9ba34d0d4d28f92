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
 * Seeds the {@link SharedDataSet} first (the county of 150,000 households with a year of
 * history, the towns of 1,000,000 and 10,000 households), then runs each feature's
 * benchmark in a JVM of its own, one after the other (so that no run shares the 2 cores
 * with another), each on a copy of that data set and a fresh Redis, with its own
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

	/** Where the shared data set is seeded, for every benchmark to copy. */
	private static final Path SHARED_DATA = Path.of("target", "bench", "shared-data").toAbsolutePath();

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
				One data set is seeded first, once, for every scenario: a county of 150,000 households in
				300 villages with a year of history, and a county of its own with towns of 1,000,000 and
				10,000 households for the boards (the sizes of this run below). Each section after it is
				one feature's benchmark, run in its own JVM, one after the other, on a copy of that data
				set (so that none measures on what another wrote) and a fresh Redis (boards are rebuilt
				from the ledger). The scenario's own set-up (staff, merchant, offer, tasks, villagers
				signed in, and the ledger's posting villages, since the bulk history is not
				hash-chained) is each benchmark's; each section says what it used. Every figure is
				compared with a raw baseline measured in the same run on the same machine (pgbench for
				SQL, redis-benchmark or the raw Lettuce calls for Redis, an empty HTTP endpoint for
				HTTP); the ratio column is throughput over that baseline's.

				""");
		long seeding = System.nanoTime();
		int seeded = run(SharedDataSet.class.getName());
		Path seedReport = Path.of("target", "bench", "shared-data.md");
		report.append("## The shared data set\n\n");
		if (seeded != 0 || !Files.exists(seedReport)) {
			report.append("Seeding failed (exit ").append(seeded).append("); no benchmark ran.\n");
			BenchApplication.writeReport("all.md", report);
			System.exit(1);
		}
		report.append(section(seedReport, "SharedDataSet", Duration.ofNanos(System.nanoTime() - seeding)));
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
			report.append(section(written, benchmark[0], took));
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

	/** A report as a section: its own title gives way to the section heading. */
	private static String section(Path written, String name, Duration took) throws IOException {
		String section = Files.readString(written, StandardCharsets.UTF_8).replaceFirst("^# [^\n]*\n+", "");
		return section.replaceAll("(?m)^## ", "### ").strip() + String.format(Locale.ROOT,
				"%n%n_%s ran for %d min %d s._%n%n", name, took.toMinutes(), took.toSecondsPart());
	}

	/**
	 * One main in a JVM of its own, with this JVM's options ({@code -Dbench.*} and the
	 * heap), the shared data set's directory and this classpath; its output goes to ours.
	 */
	private static int run(String mainClass) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
		command.add("-D" + BenchApplication.SHARED_DATA + "=" + SHARED_DATA);
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
