package org.jifen.api.web;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Role;
import org.jifen.api.support.Fixtures;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.SignedIn;
import org.jifen.api.village.Region;
import org.jifen.api.village.Villages;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every malformed request gets an RFC 9457 problem with a stable type and the request id,
 * never a 500; a real failure is a 500 that tells nothing of the inside.
 */
@ExtendWith(OutputCaptureExtension.class)
class ProblemDetailsIT extends IntegrationTest {

	@Autowired
	private Villages villages;

	@Autowired
	private Accounts accounts;

	private String households;

	private String token;

	@BeforeEach
	void anAdminOfAVillage() {
		services().wipe();
		Region village = Fixtures.village(this.villages, "problems");
		this.households = "/api/v1/villages/" + village.id().value() + "/households";
		this.token = SignedIn.staff(this.http, this.accounts, "problem-admin", Role.VILLAGE_ADMIN,
				village.id().value());
		this.http = this.http.mutate().defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + this.token).build();
	}

	private static final String VALID_HOUSEHOLD = """
			{"number": "001", "headName": "张小明", "members": [{"name": "张小明", "relation": "户主"}]}""";

	@TestConfiguration
	static class ExplodingRoute {

		@Bean
		RouterFunction<ServerResponse> explodingRoute() {
			return RouterFunctions.route().GET("/test/explode", (request) -> {
				throw new IllegalStateException("secret internal detail: password=hunter2");
			}).build();
		}

	}

	@Test
	void unknownRouteIsA404Problem() {
		this.http.get()
			.uri("/api/v1/no-such-thing")
			.header(RequestIds.HEADER, "trace-404")
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader()
			.valueEquals(RequestIds.HEADER, "trace-404")
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:not-found")
			.jsonPath("$.status")
			.isEqualTo(404)
			.jsonPath("$.title")
			.isEqualTo("未找到")
			.jsonPath("$.instance")
			.isEqualTo("/api/v1/no-such-thing")
			.jsonPath("$.requestId")
			.isEqualTo("trace-404");
	}

	@Test
	void wrongMethodIsA405ProblemNamingTheAllowedMethods() {
		this.http.delete()
			.uri("/api/v1/me")
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.METHOD_NOT_ALLOWED)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader()
			.valueEquals(HttpHeaders.ALLOW, "GET")
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:method-not-allowed")
			.jsonPath("$.allowed[0]")
			.isEqualTo("GET")
			.jsonPath("$.requestId")
			.isNotEmpty();
	}

	@Test
	void malformedJsonIsA400Problem() {
		this.http.post()
			.uri(this.households)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"number\": \"001\", \"headName\": ")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:malformed-request")
			.jsonPath("$.requestId")
			.isNotEmpty();
	}

	@Test
	void wrongFieldTypeIsA400Problem() {
		this.http.post()
			.uri(this.households)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"number\": \"001\", \"headName\": \"张三\", \"members\": \"many\"}")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:malformed-request");
	}

	@Test
	void wrongContentTypeIsA415Problem() {
		this.http.post()
			.uri(this.households)
			.contentType(MediaType.TEXT_PLAIN)
			.bodyValue(VALID_HOUSEHOLD)
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.UNSUPPORTED_MEDIA_TYPE)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:unsupported-media-type")
			.jsonPath("$.supported[0]")
			.isEqualTo("application/json");
	}

	@Test
	void invalidFieldsAreA400ProblemNamingEachField() {
		this.http.post()
			.uri(this.households)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(
					"{\"number\": \"\", \"headName\": \"张三\", \"members\": [{\"name\": \" \", \"relation\": \"户主\", \"birthYear\": 1800}]}")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:validation-failed")
			.jsonPath("$.errors[?(@.field == 'number' && @.code == 'NotBlank')]")
			.exists()
			.jsonPath("$.errors[?(@.field == 'members[0].name')].message")
			.isEqualTo("不能为空")
			.jsonPath("$.errors[?(@.field == 'members[0].birthYear')].message")
			.isEqualTo("不能小于 1900");
	}

	@Test
	void problemsSpeakEnglishWhenAsked() {
		this.http.post()
			.uri(this.households)
			.header(HttpHeaders.ACCEPT_LANGUAGE, "en-US,en;q=0.8")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"number\": \"001\", \"headName\": \"\", \"members\": []}")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.title")
			.isEqualTo("Validation failed")
			.jsonPath("$.errors[?(@.field == 'headName')].message")
			.isEqualTo("must not be blank");
	}

	@Test
	void unexpectedFailureIsA500ThatLeaksNothingAndIsLoggedWithTheRequestId(CapturedOutput output) {
		String body = this.http.get()
			.uri("/test/explode")
			.header(RequestIds.HEADER, "trace-500")
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(body).contains("\"type\":\"urn:jifen:problem:internal-error\"", "\"requestId\":\"trace-500\"")
			.doesNotContain("hunter2", "IllegalStateException", "at org.", "trace\"");
		assertThat(output).contains("[trace-500]").contains("hunter2");
	}

	@Test
	void aRequestWithoutAnIdGetsOneInTheResponse() {
		this.http.get()
			.uri("/api/v1/regions")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.value(RequestIds.HEADER, (id) -> assertThat(id).hasSize(36));
	}

	@Test
	void anUnusableRequestIdIsReplaced() {
		this.http.get()
			.uri("/api/v1/regions")
			.header(RequestIds.HEADER, "<script>alert(1)</script>")
			.exchange()
			.expectHeader()
			.value(RequestIds.HEADER, (id) -> assertThat(id).doesNotContain("<").hasSize(36));
	}

	@Test
	void tooLargeABodyIsA413Problem() {
		// Just past the 256 KB limit, so the refusal does not race a large unread
		// remainder of the body.
		String huge = "{\"number\": \"001\", \"headName\": \"" + "张".repeat(88_000) + "\", \"members\": []}";
		this.http.post()
			.uri(this.households)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(huge)
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.CONTENT_TOO_LARGE)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:payload-too-large");
	}

}
