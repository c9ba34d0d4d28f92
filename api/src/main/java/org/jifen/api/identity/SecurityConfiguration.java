package org.jifen.api.identity;

import java.util.List;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import reactor.core.publisher.Mono;

import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.firewall.ServerWebExchangeFirewall;
import org.springframework.security.web.server.firewall.StrictServerWebExchangeFirewall;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;

/**
 * The API is an OAuth2 resource server. Only the routes listed in {@link #PUBLIC_ROUTES}
 * are open; everything else needs a bearer token, and each endpoint then checks the
 * caller's region through {@link Access}. 401 and 403 leave as problem responses like
 * every other error.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
class SecurityConfiguration {

	/** Open on purpose: sign-in, the token keys, health, metrics and the API document. */
	static final String[] PUBLIC_ROUTES = { "/api/v1/auth/**", "/.well-known/jwks.json", "/actuator/health/**",
			"/actuator/health", "/actuator/info", "/actuator/prometheus", "/v3/api-docs/**", "/v3/api-docs.yaml",
			"/swagger-ui.html", "/swagger-ui/**", "/webjars/**" };

	/**
	 * The public routes get a chain without the resource server, so a stale token a
	 * client sends along (as mini-programs do on every call) cannot stop it from signing
	 * in again.
	 */
	@Bean
	@Order(Ordered.HIGHEST_PRECEDENCE)
	SecurityWebFilterChain publicRoutes(ServerHttpSecurity http) {
		return http.securityMatcher(ServerWebExchangeMatchers.pathMatchers(PUBLIC_ROUTES))
			.csrf(ServerHttpSecurity.CsrfSpec::disable)
			.httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
			.formLogin(ServerHttpSecurity.FormLoginSpec::disable)
			.logout(ServerHttpSecurity.LogoutSpec::disable)
			.securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
			.requestCache((cache) -> cache.requestCache(NoOpServerRequestCache.getInstance()))
			.authorizeExchange((exchanges) -> exchanges.anyExchange().permitAll())
			.build();
	}

	@Bean
	@Order(Ordered.LOWEST_PRECEDENCE)
	SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http, ReactiveJwtDecoder decoder) {
		ServerAuthenticationEntryPoint unauthenticated = (exchange,
				failure) -> Mono.error((failure.getCause() instanceof InvalidBearerTokenException
						|| failure instanceof InvalidBearerTokenException)
								? new DomainException(Kind.UNAUTHENTICATED, "invalid-token",
										"The token is expired, forged or malformed; sign in again.")
								: new DomainException(Kind.UNAUTHENTICATED, "unauthenticated", "Sign in first."));
		ServerAccessDeniedHandler denied = (exchange, failure) -> Mono
			.error(new DomainException(Kind.FORBIDDEN, "forbidden", "You may not do this."));
		return http.csrf(ServerHttpSecurity.CsrfSpec::disable)
			.httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
			.formLogin(ServerHttpSecurity.FormLoginSpec::disable)
			.logout(ServerHttpSecurity.LogoutSpec::disable)
			.securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
			.requestCache((cache) -> cache.requestCache(NoOpServerRequestCache.getInstance()))
			.authorizeExchange(
					(exchanges) -> exchanges.pathMatchers(HttpMethod.OPTIONS).permitAll().anyExchange().authenticated())
			.oauth2ResourceServer((server) -> server.jwt((jwt) -> jwt.jwtDecoder(decoder))
				.authenticationEntryPoint(unauthenticated)
				.accessDeniedHandler(denied))
			.exceptionHandling(
					(handling) -> handling.authenticationEntryPoint(unauthenticated).accessDeniedHandler(denied))
			.build();
	}

	/**
	 * Spring Security's strict firewall, with its header checks done by
	 * {@link HeaderCharacters} instead of a regular expression: the bearer token is about
	 * 800 characters, and matching it character class by character class on every request
	 * was a twentieth of the CPU of a balance read.
	 */
	@Bean
	ServerWebExchangeFirewall firewall() {
		StrictServerWebExchangeFirewall firewall = new StrictServerWebExchangeFirewall();
		firewall.setAllowedHeaderNames(HeaderCharacters::allowedName);
		firewall.setAllowedHeaderValues(HeaderCharacters::allowedValue);
		return firewall;
	}

	@Bean
	RSAKey tokenSigningKey(IdentityProperties properties) {
		return SigningKey.load(properties.jwt());
	}

	@Bean
	JwtEncoder jwtEncoder(RSAKey tokenSigningKey) {
		return new NimbusJwtEncoder(new ImmutableJWKSet<>(new JWKSet(tokenSigningKey)));
	}

	/** Our own tokens, or an external OIDC issuer's when one is configured. */
	@Bean
	ReactiveJwtDecoder jwtDecoder(IdentityProperties properties, RSAKey tokenSigningKey) throws Exception {
		String issuerUri = properties.oidc().issuerUri();
		if (issuerUri != null && !issuerUri.isBlank()) {
			NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder.withIssuerLocation(issuerUri).build();
			String audience = properties.oidc().audience();
			decoder.setJwtValidator(
					(audience == null || audience.isBlank()) ? JwtValidators.createDefaultWithIssuer(issuerUri)
							: new DelegatingOAuth2TokenValidator<>(JwtValidators.createDefaultWithIssuer(issuerUri),
									new JwtClaimValidator<List<String>>(JwtClaimNames.AUD,
											(audiences) -> audiences != null && audiences.contains(audience))));
			return new VerifiedTokens(decoder);
		}
		NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder.withPublicKey(tokenSigningKey.toRSAPublicKey())
			.signatureAlgorithm(SignatureAlgorithm.RS256)
			.build();
		decoder.setJwtValidator(JwtValidators.createDefaultWithIssuer(properties.jwt().issuer()));
		return new VerifiedTokens(decoder);
	}

	@Bean
	PasswordEncoder passwordEncoder() {
		return new BCryptPasswordEncoder(10);
	}

}
