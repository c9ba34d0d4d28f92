package org.jifen.notifications.wechat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON posts to WeChat's API. WeChat answers HTTP 200 with an {@code errcode} for its own
 * errors, so anything else (HTTP errors, timeouts, broken bodies) becomes
 * {@link WeChatUnavailable}. Reactor Netty rather than WebClient, because the messages of
 * its errors never quote the request URI, which carries the access token.
 */
final class WeChatHttp {

	private final HttpClient http;

	private final JsonMapper json;

	private final Duration timeout;

	WeChatHttp(String baseUrl, Duration timeout, JsonMapper json) {
		this.http = HttpClient.create()
			.baseUrl(baseUrl)
			.headers((headers) -> headers.set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8")
				.set(HttpHeaderNames.ACCEPT, HttpHeaderValues.APPLICATION_JSON));
		this.json = json;
		this.timeout = timeout;
	}

	/**
	 * Posts the body as JSON and reads WeChat's JSON answer.
	 * @param path the API path
	 * @param query query parameters, URL-encoded here
	 */
	Mono<JsonNode> post(String path, Map<String, String> query, Object body) {
		return Mono.defer(() -> {
			byte[] content = this.json.writeValueAsBytes(body);
			return this.http.headers((headers) -> headers.setInt(HttpHeaderNames.CONTENT_LENGTH, content.length))
				.post()
				.uri(path + queryString(query))
				.send((request, out) -> out.sendByteArray(Mono.just(content)))
				.responseSingle((response, answer) -> {
					int status = response.status().code();
					if (status != 200) {
						return Mono.error(new WeChatUnavailable("WeChat answered HTTP " + status));
					}
					return answer.asString(StandardCharsets.UTF_8)
						.switchIfEmpty(Mono.error(() -> new WeChatUnavailable("WeChat answered nothing")))
						.map(this.json::readTree);
				});
		})
			.timeout(this.timeout)
			.onErrorMap((error) -> !(error instanceof WeChatUnavailable),
					(error) -> new WeChatUnavailable(describe(error)));
	}

	private static String queryString(Map<String, String> query) {
		if (query.isEmpty()) {
			return "";
		}
		return query.entrySet()
			.stream()
			.map((parameter) -> parameter.getKey() + "="
					+ URLEncoder.encode(parameter.getValue(), StandardCharsets.UTF_8))
			.collect(Collectors.joining("&", "?", ""));
	}

	private String describe(Throwable error) {
		if (error instanceof TimeoutException) {
			return "WeChat did not answer within " + this.timeout.toMillis() + " ms";
		}
		if (error instanceof JacksonException) {
			// The parser's message quotes the body, which may hold an access token.
			return "WeChat answered something other than JSON";
		}
		return "WeChat could not be reached: " + error.getClass().getSimpleName() + ": " + error.getMessage();
	}

}
