package org.jifen.api.identity;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of sign-in and tokens.
 *
 * @param jwt our own tokens: issuer, lifetimes and the signing key
 * @param oidc an external OIDC issuer to accept instead of our own tokens
 * @param lockout how many wrong passwords lock a staff account, and for how long
 * @param wechat the mini-program's app id and secret; without them the fake adapter is
 * used
 * @param inviteCodeValidity how long a binding invite code stays usable
 */
@ConfigurationProperties("jifen.identity")
record IdentityProperties(@DefaultValue Jwt jwt, @DefaultValue Oidc oidc, @DefaultValue Lockout lockout,
		@DefaultValue WeChat wechat, @DefaultValue("72h") Duration inviteCodeValidity) {

	/**
	 * @param privateKey a PKCS#8 PEM RSA private key (production)
	 * @param keyFile a PEM file holding the key, generated when missing (embedded
	 * default, tests)
	 */
	record Jwt(@DefaultValue("jifen") String issuer, @DefaultValue("15m") Duration accessTokenValidity,
			@DefaultValue("30d") Duration refreshTokenValidity, @Nullable String privateKey, @Nullable String keyFile) {
	}

	/**
	 * @param issuerUri when set, tokens of this issuer are accepted instead of our own
	 * @param grantsClaim the claim listing grants as {@code ROLE:regionId} strings
	 * @param audience when set, tokens must name it in {@code aud} (the Jifen client of
	 * the realm)
	 */
	record Oidc(@Nullable String issuerUri, @DefaultValue("grants") String grantsClaim, @Nullable String audience) {
	}

	record Lockout(@DefaultValue("5") int maxFailures, @DefaultValue("15m") Duration duration) {
	}

	/**
	 * @param baseUrl WeChat's API; tests point it at a local fake server
	 */
	record WeChat(@Nullable String appId, @Nullable String secret,
			@DefaultValue("https://api.weixin.qq.com") String baseUrl) {

		boolean configured() {
			return this.appId != null && !this.appId.isBlank() && this.secret != null && !this.secret.isBlank();
		}

	}

}
