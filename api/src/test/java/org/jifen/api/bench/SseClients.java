package org.jifen.api.bench;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.LoopResources;

/**
 * Many long-lived HTTP connections from one event loop: Server-Sent Event streams of
 * signed-in users (parsed just enough to see comments and events), or plain requests that
 * are never answered (the baseline of an idle connection). Used in-process for the
 * latency run, and as its own process ({@link #main}) when the server's memory per
 * connection is measured, so that the client's own buffers are not counted.
 */
final class SseClients implements AutoCloseable {

	/** What a stream sent: an event with its data, on a client thread. */
	interface Listener {

		void event(String event, String data);

	}

	private final LoopResources loops = LoopResources.create("bench-sse", 1, true);

	private final HttpClient client;

	private final Listener listener;

	private final Disposable.Composite open = Disposables.composite();

	private final AtomicInteger opened = new AtomicInteger();

	private final AtomicInteger connected = new AtomicInteger();

	private final AtomicInteger ended = new AtomicInteger();

	private final AtomicInteger dropped = new AtomicInteger();

	SseClients(int port, Listener listener) {
		// A connection of its own per stream: no pool, so no pool limits.
		this.client = HttpClient.newConnection().runOn(this.loops).baseUrl("http://127.0.0.1:" + port);
		this.listener = listener;
	}

	/** Opens the user's live stream; counted connected at its first comment. */
	void stream(String token) {
		this.opened.incrementAndGet();
		Parser parser = new Parser();
		Up up = parser.up;
		this.open.add(this.client
			.headers((headers) -> headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token)
				.set(HttpHeaderNames.ACCEPT, "text/event-stream"))
			.get()
			.uri("/api/v1/me/stream")
			.response((response, body) -> (response.status().code() != 200) ? Mono.<Void>empty()
					: body.doOnNext(parser::feed).then())
			.doFinally((signal) -> ended(up))
			.subscribe(null, (error) -> {
			}));
	}

	/**
	 * Sends a request the server never answers; counted connected once the request is
	 * out.
	 */
	void idle() {
		this.opened.incrementAndGet();
		Up up = new Up();
		this.open.add(this.client.doAfterRequest((request, connection) -> up.connected())
			.get()
			.uri("/")
			.response()
			.doFinally((signal) -> ended(up))
			.subscribe(null, (error) -> {
			}));
	}

	/**
	 * Opens {@code count} more connections, at most 200 connecting at once (a burst of
	 * thousands overflows the accept queue); waits until each is connected or has ended.
	 */
	void open(int count, Runnable one) throws InterruptedException {
		int target = this.opened.get() + count;
		long deadline = System.nanoTime() + 120_000_000_000L;
		while (this.opened.get() < target && System.nanoTime() < deadline) {
			if (this.opened.get() - settled() < 200) {
				one.run();
			}
			else {
				Thread.sleep(1);
			}
		}
		while (settled() < target && System.nanoTime() < deadline) {
			Thread.sleep(10);
		}
	}

	/** Connections that connected, or ended without connecting. */
	private int settled() {
		return this.connected.get() + this.ended.get() - this.dropped.get();
	}

	private void ended(Up up) {
		this.ended.incrementAndGet();
		if (up.up) {
			this.dropped.incrementAndGet();
		}
	}

	/** Connections that connected and have not ended since. */
	int live() {
		return this.connected.get() - this.dropped.get();
	}

	/** Connections that ended, whether they had connected or not. */
	int ended() {
		return this.ended.get();
	}

	/** Whether one connection got through; set on its event loop. */
	private final class Up {

		private volatile boolean up;

		void connected() {
			if (!this.up) {
				this.up = true;
				SseClients.this.connected.incrementAndGet();
			}
		}

	}

	@Override
	public void close() {
		this.open.dispose();
		this.loops.disposeLater().block();
	}

	/** The SSE wire format, line by line across chunk boundaries. */
	private final class Parser {

		private final Up up = new Up();

		private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

		private String event = "message";

		private final StringBuilder data = new StringBuilder();

		void feed(ByteBuf chunk) {
			for (int i = chunk.readerIndex(); i < chunk.writerIndex(); i++) {
				byte b = chunk.getByte(i);
				if (b == '\n') {
					line(this.line.toString(StandardCharsets.UTF_8));
					this.line.reset();
				}
				else if (b != '\r') {
					this.line.write(b);
				}
			}
		}

		private void line(String text) {
			if (text.isEmpty()) {
				if (!this.data.isEmpty()) {
					SseClients.this.listener.event(this.event, this.data.toString());
				}
				this.event = "message";
				this.data.setLength(0);
			}
			else if (text.startsWith(":")) {
				if (text.substring(1).strip().equals("connected")) {
					this.up.connected();
				}
			}
			else if (text.startsWith("event:")) {
				this.event = text.substring(6).strip();
			}
			else if (text.startsWith("data:")) {
				this.data.append(text.substring(5).strip());
			}
		}

	}

	/**
	 * The client as its own process: {@code stream <port> <token file>} or
	 * {@code idle <port>}. Commands on standard input, one answer line each:
	 * {@code open <total>} answers {@code <live> <ended>}; {@code count} answers
	 * {@code <live> <balance events since the last count>}; {@code quit}.
	 */
	public static void main(String[] args) throws Exception {
		boolean streams = args[0].equals("stream");
		int port = Integer.parseInt(args[1]);
		List<String> tokens = streams ? Files.readAllLines(Path.of(args[2])) : List.of();
		AtomicInteger balances = new AtomicInteger();
		AtomicInteger next = new AtomicInteger();
		try (SseClients clients = new SseClients(port, (event, data) -> {
			if (event.equals("balance")) {
				balances.incrementAndGet();
			}
		}); BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
			String command;
			while ((command = in.readLine()) != null && !command.equals("quit")) {
				if (command.startsWith("open ")) {
					int total = Integer.parseInt(command.substring(5).strip());
					clients.open(total - clients.opened.get(), () -> {
						if (streams) {
							clients.stream(tokens.get(next.getAndIncrement() % tokens.size()));
						}
						else {
							clients.idle();
						}
					});
					System.out.println(clients.live() + " " + clients.ended());
				}
				else if (command.equals("count")) {
					System.out.println(clients.live() + " " + balances.getAndSet(0));
				}
				System.out.flush();
			}
		}
		System.exit(0);
	}

}
