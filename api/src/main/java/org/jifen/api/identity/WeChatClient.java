package org.jifen.api.identity;

import java.time.Duration;
import java.util.Map;

import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * WeChat's real {@code jscode2session} API, called with the mini-program's app id and
 * secret. WeChat answers JSON (often labelled text/plain) with either an openid or an
 * errcode.
 */
class WeChatClient implements WeChat {

	private final WebClient http;

	private final IdentityProperties.WeChat settings;

	private final JsonMapper json;

	WeChatClient(IdentityProperties.WeChat settings, JsonMapper json) {
		this.http = WebClient.create(settings.baseUrl());
		this.settings = settings;
		this.json = json;
	}

	@Override
	public Mono<String> openid(String code) {
		return this.http.get()
			.uri((uri) -> uri.path("/sns/jscode2session")
				.queryParam("appid", this.settings.appId())
				.queryParam("secret", this.settings.secret())
				.queryParam("js_code", code)
				.queryParam("grant_type", "authorization_code")
				.build())
			.retrieve()
			.bodyToMono(String.class)
			.timeout(Duration.ofSeconds(5))
			.map(this.json::readTree)
			.flatMap(this::openidOrError)
			.switchIfEmpty(Mono.error(WeChatClient::unavailable))
			.onErrorMap((error) -> !(error instanceof DomainException), (error) -> unavailable());
	}

	private Mono<String> openidOrError(JsonNode answer) {
		int errcode = answer.path("errcode").asInt(0);
		String openid = answer.path("openid").asString("");
		if (errcode == 0 && !openid.isEmpty()) {
			return Mono.just(openid);
		}
		return Mono.error(switch (errcode) {
			// 40029 invalid code, 40163 code already used, 40226 risky user blocked by
			// WeChat
			case 40029, 40163, 40226 -> new DomainException(Kind.UNAUTHENTICATED, "wechat-code-invalid",
					"The WeChat login code is invalid or used; call wx.login again.", Map.of("errcode", errcode));
			case 45011 -> new DomainException(Kind.THROTTLED, "wechat-rate-limited",
					"WeChat asks us to slow down; try again in a minute.", Map.of("retryAfterSeconds", 60));
			default -> unavailable();
		});
	}

	private static DomainException unavailable() {
		return new DomainException(Kind.UNAVAILABLE, "wechat-unavailable",
				"WeChat did not answer as expected; try again shortly.");
	}

}
