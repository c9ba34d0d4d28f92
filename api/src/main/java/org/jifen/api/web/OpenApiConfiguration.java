package org.jifen.api.web;

import java.util.List;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.HeaderParameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.OperationCustomizer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;

/**
 * The published API document. Its server is relative so the document does not change with
 * the port it was read from; it must match {@code openapi/openapi.yaml} (see
 * OpenApiContractIT).
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

	@Bean
	OpenAPI jifenOpenApi() {
		return new OpenAPI()
			.info(new Info().title("Jifen API")
				.version("v1")
				.description("Village governance points (乡村治理积分制): households, points, boards, tasks, "
						+ "donations and merchants. Errors are RFC 9457 problems (application/problem+json)."))
			.servers(List.of(new Server().url("/")))
			.components(new Components().addSecuritySchemes("bearer",
					new SecurityScheme().type(SecurityScheme.Type.HTTP)
						.scheme("bearer")
						.bearerFormat("JWT")
						.description("An access token from /api/v1/auth/login or /api/v1/auth/wechat")))
			.addSecurityItem(new SecurityRequirement().addList("bearer"));
	}

	/**
	 * Every operation may answer with an RFC 9457 problem; this documents its shape once.
	 */
	@Bean
	OpenApiCustomizer problemResponses() {
		return (openApi) -> {
			ObjectSchema fieldError = new ObjectSchema();
			fieldError.addProperty("field", new StringSchema());
			fieldError.addProperty("message", new StringSchema());
			fieldError.addProperty("code", new StringSchema());
			ObjectSchema problem = new ObjectSchema();
			problem.description("An RFC 9457 problem. Extension fields that help the client vary by type.");
			problem.addProperty("type", new StringSchema().example("urn:jifen:problem:validation-failed"));
			problem.addProperty("title", new StringSchema());
			problem.addProperty("status", new IntegerSchema());
			problem.addProperty("detail", new StringSchema());
			problem.addProperty("instance", new StringSchema());
			problem.addProperty("requestId", new StringSchema());
			problem.addProperty("errors", new ArraySchema().items(fieldError));
			problem.additionalProperties(true);
			openApi.getComponents().addSchemas("Problem", problem);
			ApiResponse problemResponse = new ApiResponse().description("A problem (RFC 9457)")
				.content(new Content().addMediaType("application/problem+json",
						new io.swagger.v3.oas.models.media.MediaType()
							.schema(new Schema<>().$ref("#/components/schemas/Problem"))));
			openApi.getPaths()
				.values()
				.forEach((path) -> path.readOperations()
					.forEach((operation) -> operation.getResponses().addApiResponse("default", problemResponse)));
		};
	}

	/** Documents the Idempotency-Key header on every mutating operation. */
	@Bean
	OperationCustomizer idempotencyKeyHeader() {
		return (operation, handler) -> {
			if (handler.hasMethodAnnotation(PostMapping.class) || handler.hasMethodAnnotation(PutMapping.class)
					|| handler.hasMethodAnnotation(PatchMapping.class)
					|| handler.hasMethodAnnotation(DeleteMapping.class)) {
				operation.addParametersItem(new HeaderParameter().name(IdempotencyFilter.HEADER)
					.required(false)
					.description("Makes a retry safe: the same key replays the first answer")
					.schema(new StringSchema().maxLength(200)));
			}
			return operation;
		};
	}

}
