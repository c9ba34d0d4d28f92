package org.jifen.api.identity;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

import org.jifen.api.shared.DomainException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real WeChat adapter against a local stand-in for WeChat's API, since WeChat cannot
 * be reached from here: the request it sends, and how it reads WeChat's answers and error
 * codes.
 */
class WeChatClientTests {

	private HttpServer server;

	private final AtomicReference<String> lastQuery = new AtomicReference<>();

	private final AtomicReference<String> answer = new AtomicReference<>();

	private WeChatClient client;

	@BeforeEach
	void startFakeWeChat() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.server.createContext("/sns/jscode2session", (exchange) -> {
			this.lastQuery.set(exchange.getRequestURI().getQuery());
			byte[] body = this.answer.get().getBytes(StandardCharsets.UTF_8);
			int status = this.answer.get().startsWith("HTTP500") ? 500 : 200;
			exchange.getResponseHeaders().set("Content-Type", "text/plain");
			exchange.sendResponseHeaders(status, body.length);
			exchange.getResponseBody().write(body);
			exchange.close();
		});
		this.server.start();
		this.client = new WeChatClient(new IdentityProperties.WeChat("wx-app", "s3cret",
				"http://127.0.0.1:" + this.server.getAddress().getPort()), JsonMapper.builder().build());
	}

	@AfterEach
	void stop() {
		this.server.stop(0);
	}

	@Test
	void exchangesTheCodeForTheOpenid() {
		this.answer.set("{\"openid\":\"oABC123\",\"session_key\":\"k\"}");
		StepVerifier.create(this.client.openid("code-1")).expectNext("oABC123").verifyComplete();
		assertThat(this.lastQuery.get()).contains("appid=wx-app", "secret=s3cret", "js_code=code-1",
				"grant_type=authorization_code");
	}

	@Test
	void anInvalidCodeIsAnUnauthenticatedProblem() {
		this.answer.set("{\"errcode\":40029,\"errmsg\":\"invalid code\"}");
		StepVerifier.create(this.client.openid("bad"))
			.expectErrorSatisfies((error) -> assertThat(error).isInstanceOf(DomainException.class)
				.hasFieldOrPropertyWithValue("type", "wechat-code-invalid"))
			.verify();
	}

	@Test
	void rateLimitingAsksTheClientToWait() {
		this.answer.set("{\"errcode\":45011,\"errmsg\":\"api minute-quota reach limit\"}");
		StepVerifier.create(this.client.openid("busy"))
			.expectErrorSatisfies(
					(error) -> assertThat(error).hasFieldOrPropertyWithValue("type", "wechat-rate-limited"))
			.verify();
	}

	@Test
	void aBrokenAnswerMeansWeChatIsUnavailable() {
		this.answer.set("HTTP500 oops");
		StepVerifier.create(this.client.openid("any"))
			.expectErrorSatisfies(
					(error) -> assertThat(error).hasFieldOrPropertyWithValue("type", "wechat-unavailable"))
			.verify();
	}

}
