package org.jifen.api.identity;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.List;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.jifen.api.support.IntegrationTest;
import org.springframework.http.HttpHeaders;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Pointed at another OIDC issuer (a local stand-in for Keycloak serving discovery and
 * JWKS), the API accepts that issuer's tokens, reads roles from the grants claim, and
 * refuses its own.
 */
class OidcIssuerIT extends IntegrationTest {

	private static final RSAKey ISSUER_KEY = rsaKey();

	private static final HttpServer ISSUER = startIssuer();

	private static final String ISSUER_URI = "http://127.0.0.1:" + ISSUER.getAddress().getPort() + "/realms/jifen";

	@DynamicPropertySource
	static void externalIssuer(DynamicPropertyRegistry registry) {
		registry.add("jifen.identity.oidc.issuer-uri", () -> ISSUER_URI);
		registry.add("jifen.identity.oidc.grants-claim", () -> "jifen_grants");
	}

	@AfterAll
	static void stopIssuer() {
		ISSUER.stop(0);
	}

	@Test
	void theIssuersTokensAreAcceptedWithTheirGrants() {
		String token = new NimbusJwtEncoder(new ImmutableJWKSet<>(new JWKSet(ISSUER_KEY)))
			.encode(JwtEncoderParameters.from(JwsHeader.with(SignatureAlgorithm.RS256).keyId("kc").build(),
					JwtClaimsSet.builder()
						.issuer(ISSUER_URI)
						.subject("keycloak-user-1")
						.issuedAt(Instant.now())
						.expiresAt(Instant.now().plusSeconds(300))
						.claim("uid", 42)
						.claim("name", "王书记")
						.claim("jifen_grants", List.of("TOWN_ADMIN:2", "SUPERVISOR:3"))
						.build()))
			.getTokenValue();

		this.http.get()
			.uri("/api/v1/me")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.userId")
			.isEqualTo(42)
			.jsonPath("$.name")
			.isEqualTo("王书记")
			.jsonPath("$.grants[0].role")
			.isEqualTo("TOWN_ADMIN")
			.jsonPath("$.grants[1].regionId")
			.isEqualTo(3);
	}

	@Test
	void tokensOfAnotherIssuerAreRefused() {
		String token = new NimbusJwtEncoder(new ImmutableJWKSet<>(new JWKSet(rsaKey())))
			.encode(JwtEncoderParameters.from(JwsHeader.with(SignatureAlgorithm.RS256).keyId("kc").build(),
					JwtClaimsSet.builder()
						.issuer("jifen")
						.subject("1")
						.issuedAt(Instant.now())
						.expiresAt(Instant.now().plusSeconds(300))
						.build()))
			.getTokenValue();

		this.http.get()
			.uri("/api/v1/me")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.exchange()
			.expectStatus()
			.isUnauthorized();
	}

	private static HttpServer startIssuer() {
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/jifen";
			server.createContext("/realms/jifen/.well-known/openid-configuration", (exchange) -> respond(exchange, """
					{"issuer":"%s","jwks_uri":"%s/protocol/openid-connect/certs",
					 "authorization_endpoint":"%s/auth","token_endpoint":"%s/token",
					 "subject_types_supported":["public"],"response_types_supported":["code"],
					 "id_token_signing_alg_values_supported":["RS256"]}""".formatted(base, base, base, base)));
			server.createContext("/realms/jifen/protocol/openid-connect/certs",
					(exchange) -> respond(exchange, new JWKSet(ISSUER_KEY.toPublicJWK()).toString()));
			server.start();
			return server;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void respond(com.sun.net.httpserver.HttpExchange exchange, String json) throws IOException {
		byte[] body = json.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.sendResponseHeaders(200, body.length);
		exchange.getResponseBody().write(body);
		exchange.close();
	}

	private static RSAKey rsaKey() {
		try {
			var generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(2048);
			var pair = generator.generateKeyPair();
			return new RSAKey.Builder((RSAPublicKey) pair.getPublic()).privateKey((RSAPrivateKey) pair.getPrivate())
				.keyID("kc")
				.build();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
