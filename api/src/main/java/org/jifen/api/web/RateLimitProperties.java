package org.jifen.api.web;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Per-caller request budgets, each counted over a fixed window.
 *
 * @param window the length of a counting window
 * @param signIn sign-in requests (anything under {@code /api/v1/auth/}) per client
 * address and window
 * @param posting changing requests (POST, PUT, PATCH, DELETE) per signed-in user and
 * window
 * @param codeVerification checkout code verifications per signed-in user and window
 * @param codeVerificationPaths the paths (a regular expression) of checkout code
 * verification
 * @param countTimeout how long a request waits for its count before it goes on uncounted
 * (the limits fail open: a slow Redis must not stop the village)
 */
@ConfigurationProperties("jifen.rate-limits")
record RateLimitProperties(Duration window, int signIn, int posting, int codeVerification, String codeVerificationPaths,
		Duration countTimeout) {

	RateLimitProperties {
		window = (window != null) ? window : Duration.ofMinutes(1);
		signIn = (signIn > 0) ? signIn : 20;
		posting = (posting > 0) ? posting : 120;
		codeVerification = (codeVerification > 0) ? codeVerification : 60;
		codeVerificationPaths = (codeVerificationPaths != null) ? codeVerificationPaths
				: "/api/v1/merchants/[^/]+/redemptions";
		countTimeout = (countTimeout != null) ? countTimeout : Duration.ofMillis(250);
		if (window.toSeconds() < 1) {
			throw new IllegalArgumentException("jifen.rate-limits.window must be a second or longer");
		}
	}

}
