package org.jifen.api.web;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.json.JsonMapper;

import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Role;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.support.Fixtures;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.SignedIn;
import org.jifen.api.village.Household;
import org.jifen.api.village.Region;
import org.jifen.api.village.Villages;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every route of the published contract, {@code openapi/openapi.yaml}, fed malformed and
 * hostile input generated from its own schemas: wrong types, huge and negative numbers,
 * overlong strings, unicode edge cases, missing and extra fields, SQL and script
 * payloads, broken JSON, hostile path segments and query values. Whatever comes in, the
 * answer is never a 5xx, never shows a stack trace, and a refusal writes nothing. The
 * variants are drawn with a fixed seed ({@code -Djifen.fuzz.seed}) so that a failure
 * replays.
 */
class HostileInputIT extends IntegrationTest {

	private static final long SEED = Long.getLong("jifen.fuzz.seed", 20261122L);

	/** Variants tried per operation, drawn from all that its schema suggests. */
	private static final int VARIANTS_PER_OPERATION = Integer.getInteger("jifen.fuzz.variants", 24);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final List<Object> HOSTILE_STRINGS = List.of("", " ", "'; drop table household; --", "\" or 1=1 --",
			"<script>alert(1)</script>", "../../../../etc/passwd", "\u0000", "\u202eevil\u202c", "👨‍👩‍👧‍👦",
			"A\u0301\u0301\u0301", "\ufeff", "%00%0d%0a", "${jndi:ldap://x/a}", "x".repeat(100_000), "长".repeat(5_000));

	private static final List<Object> HOSTILE_NUMBERS = List.of(-1, 0, Integer.MAX_VALUE, Long.MIN_VALUE,
			new java.math.BigInteger("9223372036854775808"), new java.math.BigInteger("-99999999999999999999999"), 1.5,
			1e30, -1e308);

	private static final List<String> HOSTILE_SEGMENTS = List.of("-1", "0", "9223372036854775808", "abc", "1.5",
			"' OR 1=1--", "<script>", "%00", "9".repeat(1_000), "１２", "1;2", "..");

	private static final List<String> HOSTILE_BODIES = List.of("", "{", "[]", "null", "\"text\"", "42", "{\"a\":",
			"[".repeat(5_000), "{\"a\":".repeat(3_000), "\u0000\u0001\u0002", "<xml/>");

	@Autowired
	private Villages villages;

	@Autowired
	private Accounts accounts;

	@Autowired
	private PointKinds kinds;

	private Map<String, Object> contract;

	@LocalServerPort
	private int port;

	private final Map<String, String> pathValues = new LinkedHashMap<>();

	private String admin;

	private String villager;

	@BeforeEach
	@SuppressWarnings("unchecked")
	void aVillageAndTheContract() throws IOException {
		services().wipe();
		Region village = Fixtures.village(this.villages, "fuzz");
		Household household = Fixtures.registered(this.villages, village, Fixtures.household("001", "张小明"));
		long county = this.villages.ancestry(village.id()).block().getLast().value();
		// A county's default point kinds are written the first time anyone asks for them,
		// reads included; that write is not the hostile request's.
		this.kinds.kindsOf(village.id()).collectList().block();
		this.admin = SignedIn.staff(this.http, this.accounts, "fuzz-admin", Role.COUNTY_ADMIN, county);
		this.villager = SignedIn.villager(this.http, this.accounts, "fuzz-villager", household.members().get(0).id());
		this.pathValues.put("villageId", String.valueOf(village.id().value()));
		this.pathValues.put("regionId", String.valueOf(village.id().value()));
		this.pathValues.put("townId", String.valueOf(village.parentId().value()));
		this.pathValues.put("householdId", String.valueOf(household.id().value()));
		this.pathValues.put("memberId", String.valueOf(household.members().get(0).id().value()));
		this.pathValues.put("code", "household");
		LoaderOptions options = new LoaderOptions();
		options.setCodePointLimit(50 * 1024 * 1024);
		try (InputStream yaml = Files.newInputStream(contractPath())) {
			this.contract = new Yaml(options).load(yaml);
		}
	}

	@Test
	@SuppressWarnings("unchecked")
	void noRouteAnswersHostileInputWithA5xxAStackTraceOrAWrite() {
		List<String> failures = new ArrayList<>();
		int sent = 0;
		Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) this.contract.get("paths");
		for (var path : paths.entrySet()) {
			for (var operation : path.getValue().entrySet()) {
				HttpMethod method = HttpMethod.valueOf(operation.getKey().toUpperCase());
				Map<String, Object> spec = (Map<String, Object>) operation.getValue();
				if (producesEventStream(spec)) {
					continue;
				}
				String name = method + " " + path.getKey();
				List<Attempt> attempts = attempts(path.getKey(), spec);
				Collections.shuffle(attempts, new Random(SEED ^ name.hashCode()));
				for (Attempt attempt : attempts.subList(0, Math.min(VARIANTS_PER_OPERATION, attempts.size()))) {
					sent++;
					String problem = send(method, attempt);
					if (problem != null) {
						failures.add(name + " with " + attempt.description() + ": " + problem);
					}
				}
			}
		}
		System.out.printf("Sent %d hostile requests%n", sent);
		assertThat(sent).as("hostile requests sent").isGreaterThan(500);
		assertThat(failures).as("answers to hostile input (seed %d)", SEED).isEmpty();
	}

	/** One hostile request: its path, query, body and who sends it. */
	private record Attempt(String description, String path, String query, String contentType, String body,
			String token) {
	}

	@SuppressWarnings("unchecked")
	private List<Attempt> attempts(String template, Map<String, Object> spec) {
		List<Map<String, Object>> parameters = (List<Map<String, Object>>) spec.getOrDefault("parameters", List.of());
		List<String> pathNames = parameters.stream()
			.filter((parameter) -> "path".equals(parameter.get("in")))
			.map((parameter) -> (String) parameter.get("name"))
			.toList();
		List<String> queryNames = parameters.stream()
			.filter((parameter) -> "query".equals(parameter.get("in")))
			.map((parameter) -> (String) parameter.get("name"))
			.toList();
		Map<String, String> validPath = new LinkedHashMap<>();
		pathNames.forEach((name) -> validPath.put(name, this.pathValues.getOrDefault(name, "1")));
		String path = expand(template, validPath);
		Map<String, Object> content = (Map<String, Object>) ((Map<String, Object>) spec.getOrDefault("requestBody",
				Map.of()))
			.getOrDefault("content", Map.of());
		String contentType = content.isEmpty() ? null : content.keySet().iterator().next();
		Map<String, Object> schema = (contentType != null)
				? (Map<String, Object>) ((Map<String, Object>) content.get(contentType)).get("schema") : null;
		String validBody = (schema != null && contentType.contains("json")) ? JSON.writeValueAsString(sample(schema, 0))
				: (contentType != null) ? "number,head_name\n001,张三\n" : null;

		List<Attempt> attempts = new ArrayList<>();
		for (String token : List.of(this.admin, this.villager)) {
			attempts.add(new Attempt("the sample request", path, "", contentType, validBody, token));
		}
		for (String name : pathNames) {
			for (String segment : HOSTILE_SEGMENTS) {
				Map<String, String> hostile = new LinkedHashMap<>(validPath);
				hostile.put(name, segment);
				attempts.add(new Attempt("path " + name + "=" + abbreviate(segment), expand(template, hostile), "",
						contentType, validBody, this.admin));
			}
		}
		for (String name : queryNames) {
			for (Object value : join(HOSTILE_STRINGS, HOSTILE_NUMBERS)) {
				String query = name + "=" + URLEncoder.encode(String.valueOf(value), StandardCharsets.UTF_8);
				attempts.add(new Attempt("query " + name + "=" + abbreviate(String.valueOf(value)), path, query,
						contentType, validBody, this.admin));
			}
		}
		if (contentType != null) {
			for (String body : HOSTILE_BODIES) {
				attempts.add(new Attempt("body " + abbreviate(body), path, "", contentType, body, this.admin));
			}
			attempts.add(new Attempt("a body of the wrong type", path, "", MediaType.APPLICATION_XML_VALUE, "<claim/>",
					this.admin));
		}
		if (schema != null && contentType.contains("json") && sample(schema, 0) instanceof Map<?, ?> valid) {
			attempts.addAll(fieldAttempts(path, contentType, (Map<String, Object>) valid, resolve(schema)));
		}
		return attempts;
	}

	@SuppressWarnings("unchecked")
	private List<Attempt> fieldAttempts(String path, String contentType, Map<String, Object> valid,
			Map<String, Object> schema) {
		List<Attempt> attempts = new ArrayList<>();
		Map<String, Object> properties = (Map<String, Object>) schema.getOrDefault("properties", Map.of());
		Function<Map<String, Object>, String> json = JSON::writeValueAsString;
		for (String field : properties.keySet()) {
			List<Object> values = new ArrayList<>(join(HOSTILE_STRINGS, HOSTILE_NUMBERS));
			values.addAll(List.of(true, List.of(), Map.of("$gt", ""), List.of(1, "two", Map.of())));
			values.add(null);
			for (Object value : values) {
				Map<String, Object> body = new LinkedHashMap<>(valid);
				body.put(field, value);
				attempts.add(new Attempt(field + "=" + abbreviate(String.valueOf(value)), path, "", contentType,
						json.apply(body), this.admin));
			}
			Map<String, Object> without = new LinkedHashMap<>(valid);
			without.remove(field);
			attempts.add(new Attempt("without " + field, path, "", contentType, json.apply(without), this.admin));
		}
		Map<String, Object> extra = new LinkedHashMap<>(valid);
		extra.put("__proto__", Map.of("admin", true));
		extra.put("id", -1);
		extra.put("villageId", Long.MAX_VALUE);
		attempts.add(new Attempt("extra fields", path, "", contentType, json.apply(extra), this.admin));
		return attempts;
	}

	/**
	 * Sends one attempt; the reason it is wrong, or null. A refusal (4xx) must not change
	 * any table a request writes.
	 */
	private String send(HttpMethod method, Attempt attempt) {
		URI uri = URI.create("http://localhost:" + this.port + attempt.path()
				+ (attempt.query().isEmpty() ? "" : "?" + attempt.query()));
		long before = fingerprint();
		var request = this.http.mutate()
			.responseTimeout(Duration.ofSeconds(30))
			.build()
			.method(method)
			.uri(uri)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + attempt.token())
			.header(HttpHeaders.ACCEPT_LANGUAGE, "en");
		EntityExchangeResult<byte[]> result = ((attempt.body() != null)
				? request.contentType(MediaType.parseMediaType(attempt.contentType())).bodyValue(attempt.body())
				: request)
			.exchange()
			.expectBody()
			.returnResult();
		int status = result.getStatus().value();
		String body = (result.getResponseBody() != null) ? new String(result.getResponseBody(), StandardCharsets.UTF_8)
				: "";
		if (status >= 500) {
			return "answered " + status + ": " + abbreviate(body);
		}
		if (body.contains("\tat ") || body.contains("Exception") || body.contains("org.springframework")) {
			return "answered " + status + " showing internals: " + abbreviate(body);
		}
		if (status >= 400 && fingerprint() != before) {
			return "answered " + status + " but wrote to the database";
		}
		return null;
	}

	/**
	 * The number of rows in every table a request writes: all but the relay's inbox (it
	 * fills in the background after earlier accepted requests) and the audit trail (a
	 * refused sign-in or checkout code is recorded on purpose).
	 */
	private long fingerprint() {
		if (this.fingerprintSql == null) {
			this.fingerprintSql = "select " + String.join(" + ", services().names("""
					select format('(select count(*) from %I)', tablename) from pg_tables
					where schemaname = 'public' and tablename not in ('flyway_schema_history', 'notification',
					    'notification_delivery', 'audit_entry')
					order by tablename"""));
		}
		return services().count(this.fingerprintSql);
	}

	private String fingerprintSql;

	@SuppressWarnings("unchecked")
	private Object sample(Map<String, Object> schema, int depth) {
		Map<String, Object> resolved = resolve(schema);
		if (resolved.containsKey("enum")) {
			return ((List<Object>) resolved.get("enum")).get(0);
		}
		String type = String.valueOf(resolved.getOrDefault("type", "object"));
		return switch (type) {
			case "string" -> "date".equals(resolved.get("format")) ? "2026-11-22"
					: "date-time".equals(resolved.get("format")) ? "2026-11-22T08:00:00Z" : "测试";
			case "integer", "number" -> 1;
			case "boolean" -> true;
			case "array" -> (depth > 3) ? List.of()
					: List.of(sample((Map<String, Object>) resolved.getOrDefault("items", Map.of()), depth + 1));
			default -> {
				Map<String, Object> object = new LinkedHashMap<>();
				if (depth <= 3) {
					((Map<String, Object>) resolved.getOrDefault("properties", Map.of())).forEach(
							(name, property) -> object.put(name, sample((Map<String, Object>) property, depth + 1)));
				}
				yield object;
			}
		};
	}

	@SuppressWarnings("unchecked")
	private Map<String, Object> resolve(Map<String, Object> schema) {
		Object reference = schema.get("$ref");
		if (reference == null) {
			return schema;
		}
		String name = reference.toString().substring("#/components/schemas/".length());
		Map<String, Object> schemas = (Map<String, Object>) ((Map<String, Object>) this.contract.get("components"))
			.get("schemas");
		return resolve((Map<String, Object>) schemas.get(name));
	}

	@SuppressWarnings("unchecked")
	private static boolean producesEventStream(Map<String, Object> spec) {
		Map<String, Object> responses = (Map<String, Object>) spec.getOrDefault("responses", Map.of());
		return responses.values()
			.stream()
			.map((response) -> (Map<String, Object>) ((Map<String, Object>) response).getOrDefault("content", Map.of()))
			.anyMatch((content) -> content.containsKey(MediaType.TEXT_EVENT_STREAM_VALUE));
	}

	private static String expand(String template, Map<String, String> values) {
		String path = template;
		for (var value : values.entrySet()) {
			path = path.replace("{" + value.getKey() + "}",
					URLEncoder.encode(value.getValue(), StandardCharsets.UTF_8).replace("+", "%20"));
		}
		return path;
	}

	private static List<Object> join(List<Object> first, List<Object> second) {
		List<Object> both = new ArrayList<>(first);
		both.addAll(second);
		return both;
	}

	private static String abbreviate(String text) {
		return (text.length() > 60) ? text.substring(0, 60) + "…(" + text.length() + " chars)" : text;
	}

	private static Path contractPath() {
		return Path.of(System.getProperty("jifen.openapi.contract", "../openapi/openapi.yaml"));
	}

}
