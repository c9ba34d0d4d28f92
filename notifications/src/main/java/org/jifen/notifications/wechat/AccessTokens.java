package org.jifen.notifications.wechat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * The mini-program's access token, fetched from WeChat's {@code stable_token} endpoint
 * and shared: callers get the cached token until shortly before it expires, concurrent
 * callers share one fetch, and a failed fetch is forgotten so that the next caller tries
 * again.
 * <p>
 * {@code stable_token} rather than {@code token}: in its normal mode it hands every
 * caller the same token while it is valid, so several instances of the application (or
 * other systems using the same mini-program) do not invalidate each other's tokens by
 * fetching. A rejected token is therefore replaced without {@code force_refresh}, which
 * would invalidate the token for everyone and is limited to a few calls a day.
 */
final class AccessTokens {

	private static final Logger log = LoggerFactory.getLogger(AccessTokens.class);

	private final WeChatHttp http;

	private final WeChatSubscribeSettings settings;

	private final Clock clock;

	private final AtomicReference<@Nullable Fetch> shared = new AtomicReference<>();

	AccessTokens(WeChatHttp http, WeChatSubscribeSettings settings, Clock clock) {
		this.http = http;
		this.settings = settings;
		this.clock = clock;
	}

	/**
	 * A usable token: the cached one, or else a fresh one. Fails with
	 * {@link WeChatUnavailable} when WeChat gives none.
	 */
	Mono<AccessToken> current() {
		return Mono.defer(() -> {
			Fetch fetch = sharedFetch();
			return fetch.token.flatMap((token) -> {
				if (token.usableAt(this.clock.instant())) {
					return Mono.just(token);
				}
				this.shared.compareAndSet(fetch, null);
				return sharedFetch().token;
			});
		});
	}

	/**
	 * WeChat rejected this token: the next caller fetches another, unless one was already
	 * fetched since (by a caller who was rejected at the same time).
	 */
	void rejected(AccessToken token) {
		Fetch fetch = this.shared.get();
		if (fetch != null && token.equals(fetch.resolved)) {
			this.shared.compareAndSet(fetch, null);
		}
	}

	private Fetch sharedFetch() {
		// May build a Fetch that loses the race and is dropped: it is cold until
		// subscribed.
		return this.shared.updateAndGet((fetch) -> (fetch != null) ? fetch : new Fetch());
	}

	private Mono<AccessToken> fetchFromWeChat() {
		Map<String, Object> request = Map.of("grant_type", "client_credential", "appid", this.settings.appId(),
				"secret", this.settings.secret(), "force_refresh", false);
		return this.http.post("/cgi-bin/stable_token", Map.of(), request).flatMap(this::tokenOf);
	}

	private Mono<AccessToken> tokenOf(JsonNode answer) {
		int errcode = answer.path("errcode").asInt(0);
		String value = answer.path("access_token").asString("");
		long expiresIn = answer.path("expires_in").asLong(0);
		if (errcode != 0 || value.isEmpty() || expiresIn <= 0) {
			return Mono.error(new WeChatUnavailable(
					"WeChat gave no access token: errcode " + errcode + " " + answer.path("errmsg").asString("")));
		}
		Duration lifetime = Duration.ofSeconds(expiresIn);
		// Never keep a token for less than half its life, whatever the margin says.
		Duration usable = lifetime.minus(this.settings.tokenRefreshMargin());
		if (usable.compareTo(lifetime.dividedBy(2)) < 0) {
			usable = lifetime.dividedBy(2);
		}
		log.info("Fetched a WeChat access token for app {}, valid for {}", this.settings.appId(), lifetime);
		return Mono.just(new AccessToken(value, this.clock.instant().plus(usable)));
	}

	/**
	 * One fetch from WeChat, shared by every caller until it is replaced.
	 */
	private final class Fetch {

		private final Mono<AccessToken> token;

		private volatile @Nullable AccessToken resolved;

		Fetch() {
			this.token = fetchFromWeChat().doOnNext((token) -> this.resolved = token)
				.doOnError((error) -> AccessTokens.this.shared.compareAndSet(this, null))
				.cache();
		}

	}

	/**
	 * An access token and when to stop using it.
	 *
	 * @param value the token; never printed
	 * @param refreshAt when to fetch another, a margin before it expires
	 */
	record AccessToken(String value, Instant refreshAt) {

		boolean usableAt(Instant now) {
			return now.isBefore(this.refreshAt);
		}

		@Override
		public String toString() {
			return "AccessToken[refreshAt=" + this.refreshAt + "]";
		}

	}

}
