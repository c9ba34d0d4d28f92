package org.jifen.api.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * A small HTTP load generator on loopback, on its own event loop so that it does not
 * share the server's. Two shapes: an open loop at a fixed rate, whose latency counts from
 * the moment each request was due (so a stalled server is not hidden by a stalled
 * client), and a closed loop of N clients back to back, for the most the server does.
 */
final class LoadGenerator implements AutoCloseable {

	private final LoopResources loops = LoopResources.create("bench-client", 1, true);

	private final ConnectionProvider connections = ConnectionProvider.builder("bench")
		.maxConnections(512)
		.pendingAcquireMaxCount(-1)
		.build();

	HttpClient client(int port) {
		return HttpClient.create(this.connections).runOn(this.loops).baseUrl("http://127.0.0.1:" + port);
	}

	/** One request; emits the HTTP status. */
	interface Request extends IntFunction<Mono<Integer>> {

	}

	/** {@code rate} requests per second for {@code duration}, each on time. */
	Result openLoop(String name, int rate, Duration duration, Request request) {
		int total = (int) (rate * duration.toSeconds());
		long period = 1_000_000_000L / rate;
		long[] latencies = new long[total];
		AtomicInteger failures = new AtomicInteger();
		long start = System.nanoTime() + 50_000_000L;
		Pauses pauses = Pauses.now();
		Instant started = Instant.now();
		Flux.range(0, total).flatMap((i) -> {
			long due = start + i * period;
			return Mono.delay(Duration.ofNanos(Math.max(0, due - System.nanoTime())))
				.then(Mono.defer(() -> request.apply(i)))
				.onErrorReturn(-1)
				.doOnNext((status) -> {
					latencies[i] = System.nanoTime() - due;
					if (status < 200 || status > 299) {
						failures.incrementAndGet();
					}
				});
		}, total).blockLast();
		double seconds = (System.nanoTime() - start) / 1e9;
		printTimeline(name, rate, started, latencies, pauses.since());
		return Result.of(name, latencies, total, seconds, failures.get());
	}

	/** {@code clients} clients sending back to back for {@code duration}. */
	Result closedLoop(String name, int clients, Duration duration, Request request) {
		long end = System.nanoTime() + duration.toNanos();
		return closedLoop(name, clients, (sent) -> System.nanoTime() < end, request);
	}

	/**
	 * {@code clients} clients sending back to back until {@code count} requests are done.
	 */
	Result closedLoop(String name, int clients, int count, Request request) {
		return closedLoop(name, clients, (sent) -> sent < count, request);
	}

	private Result closedLoop(String name, int clients, IntPredicate goOn, Request request) {
		Samples samples = new Samples();
		AtomicInteger failures = new AtomicInteger();
		AtomicInteger sequence = new AtomicInteger();
		long start = System.nanoTime();
		Flux.range(0, clients).flatMap((client) -> Mono.defer(() -> {
			int next = sequence.getAndIncrement();
			if (!goOn.test(next)) {
				return Mono.<Integer>empty();
			}
			long sent = System.nanoTime();
			return request.apply(next).onErrorReturn(-1).doOnNext((status) -> {
				samples.add(System.nanoTime() - sent);
				if (status < 200 || status > 299) {
					failures.incrementAndGet();
				}
			});
		}).repeat(() -> goOn.test(sequence.get())), clients).blockLast();
		double seconds = (System.nanoTime() - start) / 1e9;
		long[] latencies = samples.toArray();
		return Result.of(name, latencies, latencies.length, seconds, failures.get());
	}

	/**
	 * Prints the worst latency of each second of an open-loop run and the JVM's garbage
	 * collection pauses during it: a p99 tells how bad, this tells when (at the start,
	 * every few seconds, after a pause).
	 */
	private static void printTimeline(String name, int rate, Instant started, long[] latencies, String pauses) {
		StringBuilder worst = new StringBuilder();
		for (int second = 0; second * rate < latencies.length; second++) {
			long max = 0;
			for (int i = second * rate; i < Math.min(latencies.length, (second + 1) * rate); i++) {
				max = Math.max(max, latencies[i]);
			}
			worst.append(' ').append(max / 1_000_000);
		}
		System.out.printf(Locale.ROOT, "%s at %d/s from %s: worst ms of each second:%s; %s%n", name, rate, started,
				worst, pauses);
	}

	/** The JVM's garbage collections so far, to tell what one run had. */
	private record Pauses(long count, long millis) {

		static Pauses now() {
			long count = 0;
			long millis = 0;
			for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
				if (collector.getName().contains("Concurrent") || collector.getName().contains("Cycles")) {
					// G1's concurrent cycles and ZGC's cycles run beside the application;
					// their pauses are counted apart.
					continue;
				}
				count += Math.max(0, collector.getCollectionCount());
				millis += Math.max(0, collector.getCollectionTime());
			}
			return new Pauses(count, millis);
		}

		String since() {
			Pauses later = now();
			return (later.count - this.count) + " collection pauses, " + (later.millis - this.millis) + " ms in them";
		}

	}

	@Override
	public void close() {
		this.connections.dispose();
		this.loops.dispose();
	}

	/** Latencies collected from many threads. */
	static final class Samples {

		private long[] values = new long[1 << 16];

		private int size;

		synchronized void add(long value) {
			if (this.size == this.values.length) {
				this.values = Arrays.copyOf(this.values, this.size * 2);
			}
			this.values[this.size++] = value;
		}

		synchronized long[] toArray() {
			return Arrays.copyOf(this.values, this.size);
		}

	}

	/** Throughput and latency percentiles of one run, latencies in milliseconds. */
	record Result(String name, long requests, double seconds, int failures, double p50, double p99, double p999) {

		static Result of(String name, long[] nanos, long requests, double seconds, int failures) {
			long[] sorted = nanos.clone();
			Arrays.sort(sorted);
			return new Result(name, requests, seconds, failures, percentile(sorted, 0.50), percentile(sorted, 0.99),
					percentile(sorted, 0.999));
		}

		static double percentile(long[] sorted, double quantile) {
			if (sorted.length == 0) {
				return Double.NaN;
			}
			int index = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
			return sorted[Math.max(0, index)] / 1e6;
		}

		double throughput() {
			return this.requests / this.seconds;
		}

	}

}
