package org.jifen.api.embedded;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.jifen.api.JifenApplication;
import org.jifen.api.support.SignedIn;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.awaitility.Awaitility.await;

/**
 * The README's run command in a test: with nothing configured the application starts its
 * own PostgreSQL and Redis, loads the demo county, and reports UP once it is readable.
 */
class EmbeddedDefaultIT {

	@Test
	void withNothingConfiguredTheApiRunsOnEmbeddedServersWithTheDemo(@TempDir Path dataDirectory) {
		try (ConfigurableApplicationContext application = new SpringApplicationBuilder(JifenApplication.class)
			.properties("server.port=0", "jifen.embedded.data-dir=" + dataDirectory)
			.run()) {
			String port = application.getEnvironment().getProperty("local.server.port");
			WebTestClient http = WebTestClient.bindToServer()
				.baseUrl("http://localhost:" + port)
				.responseTimeout(Duration.ofSeconds(10))
				.build();

			await().atMost(Duration.ofSeconds(90))
				.untilAsserted(() -> http.get()
					.uri("/actuator/health")
					.exchange()
					.expectStatus()
					.isOk()
					.expectBody()
					.jsonPath("$.status")
					.isEqualTo("UP"));

			String token = SignedIn.wechat(http, "dev-villager", null).get("accessToken").asString();
			WebTestClient signedIn = http.mutate().defaultHeader("Authorization", "Bearer " + token).build();
			signedIn.get()
				.uri("/api/v1/regions")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$[0].name")
				.isEqualTo("淄川区");
			signedIn.get()
				.uri("/api/v1/regions?parentId=2")
				.exchange()
				.expectBody()
				.jsonPath("$.length()")
				.isEqualTo(2)
				.jsonPath("$[0].level")
				.isEqualTo("VILLAGE");
		}
	}

}
