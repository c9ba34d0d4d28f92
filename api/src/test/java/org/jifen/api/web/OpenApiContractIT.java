package org.jifen.api.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import org.jifen.api.support.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The published contract, {@code openapi/openapi.yaml}, must be what the running
 * application serves. Regenerate it with
 * {@code ./mvnw verify -Djifen.openapi.update=true}.
 */
class OpenApiContractIT extends IntegrationTest {

	@Test
	void thePublishedContractMatchesTheRunningApplication() throws IOException {
		String served = this.http.get()
			.uri("/v3/api-docs.yaml")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		Path contract = Path.of(System.getProperty("jifen.openapi.contract", "../openapi/openapi.yaml"));
		if (Boolean.getBoolean("jifen.openapi.update")) {
			Files.writeString(contract, served, StandardCharsets.UTF_8);
		}
		assertThat(contract).as("openapi/openapi.yaml exists").exists();
		assertThat(served.strip())
			.as("openapi/openapi.yaml is stale: regenerate it with ./mvnw verify -Djifen.openapi.update=true")
			.isEqualTo(Files.readString(contract, StandardCharsets.UTF_8).strip());
	}

}
