package org.jifen.api.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.Outages;
import org.springframework.context.MessageSource;
import org.springframework.context.MessageSourceResolvable;
import org.springframework.core.annotation.Order;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
import org.springframework.web.server.WebExceptionHandler;

/**
 * The one exception translator: every error leaves the API as an RFC 9457 problem
 * ({@code application/problem+json}) with a stable {@code type}, a localized
 * {@code title} and {@code detail}, the request id, and field errors where validation
 * failed. Nothing internal, such as a stack trace, is ever written to the client.
 *
 * <p>
 * It is a {@link WebExceptionHandler} rather than a controller advice so that it also
 * answers errors raised outside controllers: unknown routes, filters, codecs.
 */
@Component
@Order(-2) // ahead of Spring Boot's default error handler
class ProblemHandler implements WebExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

	private static final String TYPE_PREFIX = "urn:jifen:problem:";

	/** How long a client should wait before retrying during an outage. */
	private static final long OUTAGE_RETRY_AFTER_SECONDS = 5;

	private final MessageSource messages;

	private final JsonMapper json;

	ProblemHandler(MessageSource messages, JsonMapper json) {
		this.messages = messages;
		this.json = json;
		// Resource bundles load from disk on first use: load them now rather than on an
		// event loop.
		Locales.SUPPORTED.forEach((locale) -> messages.getMessage("problem.internal-error.title", null, "", locale));
	}

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
		ServerHttpResponse response = exchange.getResponse();
		if (response.isCommitted()) {
			return Mono.error(error);
		}
		Locale locale = Locales.of(exchange);
		Problem problem = translate(error, locale);
		if (problem.status().is5xxServerError()) {
			// This handler runs outside the filters' Reactor context, so the MDC is set
			// by hand.
			try (var requestId = MDC.putCloseable(RequestIds.CONTEXT_KEY, RequestIds.of(exchange))) {
				log.error("Request {} {} failed", exchange.getRequest().getMethod(), exchange.getRequest().getPath(),
						error);
			}
		}
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("type", TYPE_PREFIX + problem.type());
		body.put("title", this.messages.getMessage("problem." + problem.type() + ".title", null,
				problem.status().getReasonPhrase(), locale));
		body.put("status", problem.status().value());
		// Read without arguments, so the text is taken as written (no MessageFormat), and
		// filled by name: the extensions' order is not the message's.
		String detail = this.messages.getMessage("problem." + problem.type() + ".detail", null, null, locale);
		body.put("detail",
				(detail != null) ? ProblemDetails.fill(detail, problem.extensions()) : problem.fallbackDetail());
		body.put("instance", exchange.getRequest().getPath().value());
		body.put("requestId", RequestIds.of(exchange));
		// An extension never hides a standard member (a "status" of a claim is not the
		// HTTP status).
		problem.extensions().forEach(body::putIfAbsent);
		response.setStatusCode(problem.status());
		response.getHeaders().addAll(problem.headers());
		response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		byte[] bytes = this.json.writeValueAsBytes(body);
		return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(bytes)));
	}

	private Problem translate(Throwable error, Locale locale) {
		if (error instanceof DomainException domain) {
			HttpHeaders headers = new HttpHeaders();
			if (domain.kind() == DomainException.Kind.UNAUTHENTICATED) {
				headers.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
			}
			if (domain.arguments().get("retryAfterSeconds") instanceof Number seconds) {
				headers.set(HttpHeaders.RETRY_AFTER, String.valueOf(seconds.longValue()));
			}
			return new Problem(statusOf(domain.kind()), domain.type(), domain.getMessage(), domain.arguments(),
					headers);
		}
		if (Outages.isOutage(error)) {
			HttpHeaders headers = new HttpHeaders();
			headers.set(HttpHeaders.RETRY_AFTER, String.valueOf(OUTAGE_RETRY_AFTER_SECONDS));
			return new Problem(HttpStatus.SERVICE_UNAVAILABLE, "service-unavailable",
					"The service is briefly unavailable; please try again shortly.",
					Map.of("retryAfterSeconds", OUTAGE_RETRY_AFTER_SECONDS), headers);
		}
		if (hasCause(error, DataBufferLimitException.class)) {
			return Problem.of(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "The request body is too large.");
		}
		if (error instanceof WebExchangeBindException binding) {
			List<Map<String, String>> errors = new ArrayList<>();
			binding.getFieldErrors().forEach((field) -> errors.add(fieldError(field.getField(), field, locale)));
			binding.getGlobalErrors()
				.forEach((global) -> errors.add(fieldError(global.getObjectName(), global, locale)));
			return validationFailed(errors);
		}
		if (error instanceof HandlerMethodValidationException validation) {
			List<Map<String, String>> errors = new ArrayList<>();
			validation.getParameterValidationResults().forEach((result) -> {
				String name = result.getMethodParameter().getParameterName();
				result.getResolvableErrors().forEach((resolvable) -> errors.add(fieldError(name, resolvable, locale)));
			});
			return validationFailed(errors);
		}
		if (error instanceof UnsupportedMediaTypeStatusException unsupported) {
			return new Problem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type",
					"Send the request body as application/json.", Map.of("supported",
							unsupported.getSupportedMediaTypes().stream().map(MediaType::toString).toList()));
		}
		if (error instanceof MethodNotAllowedException notAllowed) {
			return new Problem(HttpStatus.METHOD_NOT_ALLOWED, "method-not-allowed", "This method is not allowed here.",
					Map.of("allowed",
							notAllowed.getSupportedMethods().stream().map(Object::toString).sorted().toList()),
					notAllowed.getHeaders());
		}
		if (error instanceof NotAcceptableStatusException) {
			return Problem.of(HttpStatus.NOT_ACCEPTABLE, "not-acceptable", "The API answers application/json only.");
		}
		if (error instanceof ServerWebInputException input) {
			if (hasCause(error, DecodingException.class)) {
				return Problem.of(HttpStatus.BAD_REQUEST, "malformed-request",
						"The request body could not be read as JSON of the expected shape.");
			}
			return new Problem(HttpStatus.BAD_REQUEST, "invalid-parameter", "A request parameter is invalid.",
					Map.of("reason", String.valueOf(input.getReason())));
		}
		if (error instanceof ResponseStatusException status) {
			HttpStatus code = HttpStatus.resolve(status.getStatusCode().value());
			if (code == HttpStatus.NOT_FOUND) {
				return Problem.of(HttpStatus.NOT_FOUND, "not-found", "Nothing is here.");
			}
			if (code != null && !code.is5xxServerError()) {
				return new Problem(code, code.name().toLowerCase(Locale.ROOT).replace('_', '-'), code.getReasonPhrase(),
						Map.of(), status.getHeaders());
			}
		}
		return Problem.of(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error",
				"Something went wrong on our side. Please try again later.");
	}

	private Problem validationFailed(List<Map<String, String>> errors) {
		return new Problem(HttpStatus.BAD_REQUEST, "validation-failed", "Some fields are not valid.",
				Map.of("errors", errors));
	}

	private Map<String, String> fieldError(String field, MessageSourceResolvable error, Locale locale) {
		String message = this.messages.getMessage(error, locale);
		Map<String, String> entry = new LinkedHashMap<>();
		entry.put("field", field);
		entry.put("message", message);
		if (error instanceof FieldError fieldError && fieldError.getCode() != null) {
			entry.put("code", fieldError.getCode());
		}
		return entry;
	}

	private static HttpStatus statusOf(DomainException.Kind kind) {
		return switch (kind) {
			case NOT_FOUND -> HttpStatus.NOT_FOUND;
			case CONFLICT -> HttpStatus.CONFLICT;
			case REFUSED -> HttpStatus.UNPROCESSABLE_CONTENT;
			case MALFORMED -> HttpStatus.BAD_REQUEST;
			case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
			case FORBIDDEN -> HttpStatus.FORBIDDEN;
			case THROTTLED -> HttpStatus.TOO_MANY_REQUESTS;
			case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
		};
	}

	private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
		for (Throwable cause = error; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return true;
			}
		}
		return false;
	}

	private record Problem(HttpStatus status, String type, String fallbackDetail, Map<String, Object> extensions,
			HttpHeaders headers) {

		Problem(HttpStatus status, String type, String fallbackDetail, Map<String, Object> extensions) {
			this(status, type, fallbackDetail, extensions, HttpHeaders.EMPTY);
		}

		static Problem of(HttpStatus status, String type, String fallbackDetail) {
			return new Problem(status, type, fallbackDetail, Map.of());
		}

	}

}
