package org.jifen.api.web;

import java.nio.charset.StandardCharsets;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.util.UriUtils;

/**
 * The request's path as routing and security see it: within the application and
 * percent-decoded. Filters that treat some paths apart must match this, not the raw path,
 * or {@code /api/v1/a%75th/login} reaches the sign-in route while passing for another.
 */
final class RequestPaths {

	private RequestPaths() {
	}

	static String decoded(ServerHttpRequest request) {
		return UriUtils.decode(request.getPath().pathWithinApplication().value(), StandardCharsets.UTF_8);
	}

}
