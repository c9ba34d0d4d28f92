package org.jifen.notifications.wechat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A local stand-in for WeChat's API, since WeChat cannot be reached from here: it hands
 * out numbered access tokens ({@code ACCESS-TOKEN-1}, {@code -2}…), answers sends as
 * scripted (or with success), and records every request.
 */
final class FakeWeChat implements AutoCloseable {

	static final String SUCCESS = "{\"errcode\":0,\"errmsg\":\"ok\",\"msgid\":1}";

	private final JsonMapper json = JsonMapper.builder().build();

	private final HttpServer server;

	private final ExecutorService threads = Executors.newCachedThreadPool();

	final AtomicInteger tokenCalls = new AtomicInteger();

	final List<JsonNode> tokenRequests = new CopyOnWriteArrayList<>();

	final List<Send> sends = new CopyOnWriteArrayList<>();

	/** Answers to the next token requests; once used up, tokens are issued. */
	final Queue<Answer> tokenAnswers = new ConcurrentLinkedQueue<>();

	/** Answers to the next sends; once used up, sends succeed. */
	final Queue<Answer> sendAnswers = new ConcurrentLinkedQueue<>();

	volatile long expiresInSeconds = 7200;

	volatile Duration tokenDelay = Duration.ZERO;

	volatile Duration sendDelay = Duration.ZERO;

	FakeWeChat() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.server.setExecutor(this.threads);
		this.server.createContext("/cgi-bin/stable_token", this::token);
		this.server.createContext("/cgi-bin/message/subscribe/send", this::send);
		this.server.start();
	}

	String baseUrl() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

	int sendCalls() {
		return this.sends.size();
	}

	Send lastSend() {
		return this.sends.getLast();
	}

	private void token(HttpExchange exchange) throws IOException {
		int call = this.tokenCalls.incrementAndGet();
		this.tokenRequests.add(this.json.readTree(exchange.getRequestBody().readAllBytes()));
		pause(this.tokenDelay);
		Answer scripted = this.tokenAnswers.poll();
		answer(exchange, (scripted != null) ? scripted : new Answer(200,
				"{\"access_token\":\"ACCESS-TOKEN-" + call + "\",\"expires_in\":" + this.expiresInSeconds + "}"));
	}

	private void send(HttpExchange exchange) throws IOException {
		this.sends.add(new Send(exchange.getRequestURI().getQuery(),
				this.json.readTree(exchange.getRequestBody().readAllBytes())));
		pause(this.sendDelay);
		Answer scripted = this.sendAnswers.poll();
		answer(exchange, (scripted != null) ? scripted : new Answer(200, SUCCESS));
	}

	private static void answer(HttpExchange exchange, Answer answer) throws IOException {
		byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
		// WeChat labels its JSON as text/plain.
		exchange.getResponseHeaders().set("Content-Type", "text/plain");
		exchange.sendResponseHeaders(answer.status(), body.length);
		exchange.getResponseBody().write(body);
		exchange.close();
	}

	private static void pause(Duration delay) {
		try {
			Thread.sleep(delay);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void close() {
		this.server.stop(0);
		this.threads.shutdownNow();
	}

	static Answer errcode(int errcode) {
		return new Answer(200, "{\"errcode\":" + errcode + ",\"errmsg\":\"scripted error " + errcode + "\"}");
	}

	record Answer(int status, String body) {
	}

	record Send(String query, JsonNode body) {
	}

}
