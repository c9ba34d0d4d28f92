package org.jifen.api.faults;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Plain HTTP traffic for the fault suite, sent from ordinary threads (never an event
 * loop) to whichever instance is current, with every answer kept for the checks
 * afterwards. A change carries its {@code Idempotency-Key} for life: sent once under
 * load, and, if it was not acknowledged, sent again with the same key once the fault is
 * over.
 */
final class Traffic {

	/** The status recorded when no connection could be made (nothing listens). */
	static final int NO_ANSWER = -1;

	/** The status recorded when the connection broke before the answer came. */
	static final int CUT_OFF = -3;

	/** The status recorded when the answer took longer than {@link #PATIENCE}. */
	static final int HUNG = -2;

	/** How long a client waits for an answer before calling the request hung. */
	static final Duration PATIENCE = Duration.ofSeconds(20);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private volatile String baseUrl;

	private final Queue<Answer> answers = new ConcurrentLinkedQueue<>();

	private final Queue<Change> changes = new ConcurrentLinkedQueue<>();

	Traffic(String baseUrl) {
		this.baseUrl = baseUrl;
	}

	/** Points the traffic at another instance. */
	void target(String baseUrl) {
		this.baseUrl = baseUrl;
	}

	/** One answer (or the lack of one) to one request. */
	record Answer(String method, String path, int status, @Nullable JsonNode body, @Nullable String retryAfter,
			@Nullable String replayed, Duration took) {

		boolean ok() {
			return this.status >= 200 && this.status < 300;
		}

		/** A 503 {@code service-unavailable} problem with Retry-After. */
		boolean outage() {
			return this.status == 503 && this.retryAfter != null && this.body != null
					&& "urn:jifen:problem:service-unavailable".equals(this.body.path("type").asString(""));
		}

		@Override
		public String toString() {
			return this.method + " " + this.path + " → " + this.status + " in " + this.took.toMillis() + " ms"
					+ ((this.body != null && this.status >= 400) ? " " + this.body : "");
		}

	}

	Answer get(String token, String path) {
		return send("GET", path, token, null, null);
	}

	Answer post(String token, String path, @Nullable String key, @Nullable Object body) {
		return send("POST", path, token, key, body);
	}

	Answer put(String token, String path, @Nullable String key, @Nullable Object body) {
		return send("PUT", path, token, key, body);
	}

	Answer send(String method, String path, @Nullable String token, @Nullable String key, @Nullable Object body) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.baseUrl + path))
			.timeout(PATIENCE)
			.header("Accept", "application/json")
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))
					: HttpRequest.BodyPublishers.noBody());
		if (body != null) {
			request.header("Content-Type", "application/json");
		}
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		if (key != null) {
			request.header("Idempotency-Key", key);
		}
		long started = System.nanoTime();
		Answer answer;
		try {
			HttpResponse<byte[]> response = this.http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
			JsonNode json = null;
			if (response.body().length > 0
					&& response.headers().firstValue("Content-Type").orElse("").contains("json")) {
				json = JSON.readTree(response.body());
			}
			answer = new Answer(method, path, response.statusCode(), json,
					response.headers().firstValue("Retry-After").orElse(null),
					response.headers().firstValue("Idempotent-Replayed").orElse(null), since(started));
		}
		catch (HttpTimeoutException ex) {
			answer = new Answer(method, path, HUNG, null, null, null, since(started));
		}
		catch (ConnectException ex) {
			answer = new Answer(method, path, NO_ANSWER, null, null, null, since(started));
		}
		catch (IOException ex) {
			answer = new Answer(method, path, CUT_OFF, null, null, null, since(started));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		this.answers.add(answer);
		return answer;
	}

	/**
	 * A change with its key: {@code send} makes the request (the same every time),
	 * {@code then} runs once it is acknowledged (for example to queue the next step).
	 */
	final class Change {

		final String name;

		final String key;

		private final Function<Change, Answer> send;

		private final List<Answer> attempts = new ArrayList<>();

		private volatile @Nullable Answer acknowledged;

		Change(String name, String key, Function<Change, Answer> send) {
			this.name = name;
			this.key = key;
			this.send = send;
		}

		/** Sends it once; true when acknowledged. */
		synchronized boolean attempt() {
			Answer answer = this.send.apply(this);
			this.attempts.add(answer);
			if (answer.ok()) {
				this.acknowledged = answer;
			}
			return answer.ok();
		}

		@Nullable Answer acknowledged() {
			return this.acknowledged;
		}

		synchronized List<Answer> attempts() {
			return List.copyOf(this.attempts);
		}

		@Override
		public String toString() {
			return this.name + " [" + this.key + "] " + attempts();
		}

	}

	/** Makes a change and sends it once. */
	Change change(String name, String key, Function<Change, Answer> send) {
		Change change = new Change(name, key, send);
		this.changes.add(change);
		change.attempt();
		return change;
	}

	/**
	 * Sends every change not yet acknowledged again, with its own key, until each is (or
	 * the deadline passes).
	 */
	void retryUnacknowledged(Duration deadline) {
		long until = System.nanoTime() + deadline.toNanos();
		List<Change> waiting = new ArrayList<>(unacknowledged());
		while (!waiting.isEmpty() && System.nanoTime() < until) {
			waiting.removeIf(Change::attempt);
			if (!waiting.isEmpty()) {
				pause(Duration.ofMillis(500));
			}
		}
	}

	List<Change> changes() {
		return List.copyOf(this.changes);
	}

	long acknowledged() {
		return this.changes.stream().filter((change) -> change.acknowledged() != null).count();
	}

	List<Change> unacknowledged() {
		return this.changes.stream().filter((change) -> change.acknowledged() == null).toList();
	}

	List<Answer> answers() {
		return List.copyOf(this.answers);
	}

	/**
	 * Answers that are neither a success, a 503 outage problem, nor a problem of a type
	 * listed as allowed ({@code idempotency-request-in-progress}, say).
	 */
	List<Answer> unexpected(String... allowedTypes) {
		List<String> allowed = Arrays.stream(allowedTypes).map((type) -> "urn:jifen:problem:" + type).toList();
		return this.answers.stream()
			.filter((answer) -> !answer.ok() && !answer.outage()
					&& (answer.body() == null || !allowed.contains(answer.body().path("type").asString(""))))
			.toList();
	}

	/**
	 * How many answers of each kind (method, route shape, status) and the slowest of
	 * each, for the test's log.
	 */
	String summary() {
		Map<String, long[]> kinds = new java.util.TreeMap<>();
		for (Answer answer : this.answers) {
			String route = answer.path().replaceAll("\\?.*", "").replaceAll("/\\d+", "/{id}");
			long[] seen = kinds.computeIfAbsent(answer.method() + " " + route + " " + answer.status(),
					(kind) -> new long[2]);
			seen[0]++;
			seen[1] = Math.max(seen[1], answer.took().toMillis());
		}
		StringBuilder summary = new StringBuilder();
		kinds.forEach(
				(kind, seen) -> summary.append(String.format("%n  %-70s %6d  slowest %6d ms", kind, seen[0], seen[1])));
		return summary.toString();
	}

	static void pause(Duration duration) {
		try {
			Thread.sleep(duration);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static Duration since(long started) {
		return Duration.ofNanos(System.nanoTime() - started);
	}

}
