package org.jifen.api.web;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every problem type the code can throw has a title and a detail in both bundles, and a
 * detail names only fields that every throw site of its type passes. The throw sites are
 * found by reading the sources: {@code new DomainException(Kind.X, "type", ...)}, the
 * problem handler's own problems, helpers that hand a {@code String} parameter on as the
 * type (such as {@code refused("type", ...)}), and the merchants' eligibility reasons,
 * which become the problem type at checkout.
 */
class ProblemMessagesTests {

	private static final Path SOURCES = Path.of("src/main/java");

	private static final Path RESOURCES = Path.of("src/main/resources");

	private static final String KIND = "(?:DomainException\\.)?Kind\\.[A-Z_]+\\s*,\\s*";

	private static final Pattern DIRECT = Pattern.compile("new\\s+DomainException\\s*\\(\\s*" + KIND + "\"([^\"]+)\"");

	private static final Pattern DYNAMIC = Pattern
		.compile("new\\s+DomainException\\s*\\(\\s*" + KIND + "([^\\s\",][^,]*?)\\s*,");

	private static final Pattern HANDLER = Pattern
		.compile("(?:new\\s+Problem|Problem\\.of)\\s*\\(\\s*HttpStatus\\.[A-Z_]+\\s*,\\s*\"([^\"]+)\"");

	private static final Pattern HELPER = Pattern.compile(
			"DomainException\\s+(\\w+)\\s*\\(\\s*String\\s+(\\w+)([^)]*)\\)\\s*\\{\\s*return\\s+new\\s+DomainException"
					+ "\\s*\\(\\s*" + KIND + "(\\w+)\\s*,");

	/** Eligibility reasons: the first one refused at checkout is the problem's type. */
	private static final Pattern REASON = Pattern.compile("\\brefusal\\s*\\(\\s*\"([^\"]+)\"");

	private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");

	private static final Map<String, List<Site>> sites = new TreeMap<>();

	private static final Set<String> dynamicTypes = new TreeSet<>();

	@BeforeAll
	static void scanSources() throws IOException {
		Map<String, String> files = new HashMap<>();
		try (Stream<Path> paths = Files.walk(SOURCES)) {
			for (Path path : paths.filter((p) -> p.toString().endsWith(".java")).toList()) {
				files.put(path.toString(), Files.readString(path));
			}
		}
		Map<String, Boolean> helpers = new HashMap<>();
		Set<String> helperParameters = new HashSet<>();
		for (String source : files.values()) {
			Matcher helper = HELPER.matcher(source);
			while (helper.find()) {
				if (helper.group(2).equals(helper.group(4))) {
					helpers.put(helper.group(1), helper.group(3).contains("Map<"));
					helperParameters.add(helper.group(4));
				}
			}
		}
		for (Map.Entry<String, String> file : files.entrySet()) {
			String source = file.getValue();
			find(source, DIRECT, 3);
			find(source, HANDLER, 3);
			for (Map.Entry<String, Boolean> helper : helpers.entrySet()) {
				find(source, Pattern.compile("\\b" + helper.getKey() + "\\s*\\(\\s*\"([^\"]+)\""),
						helper.getValue() ? 2 : Integer.MAX_VALUE);
			}
			Matcher reason = REASON.matcher(source);
			while (reason.find()) {
				List<String> arguments = arguments(source, reason.start());
				Set<String> names = new LinkedHashSet<>();
				for (int i = 1; i < arguments.size(); i += 2) {
					names.add(unquote(arguments.get(i)));
				}
				names.add("reasons");
				add(reason.group(1), names);
			}
			Matcher dynamic = DYNAMIC.matcher(source);
			while (dynamic.find()) {
				if (!helperParameters.contains(dynamic.group(1))) {
					dynamicTypes.add(file.getKey() + ": " + dynamic.group(1));
				}
			}
		}
	}

	@Test
	void theScanFindsTheKnownThrowSites() {
		assertThat(sites).containsKeys("insufficient-points", "cap-reached", "illegal-transition",
				"conflict-of-interest", "task-already-taken", "login-locked", "needs-stars", "source-not-allowed",
				"donation-cap-reached", "internal-error", "validation-failed");
		assertThat(sites.get("insufficient-points")).as(sites.toString())
			.allMatch((site) -> site.names().containsAll(Set.of("available", "required")));
	}

	@Test
	void everyTypeIsNamedWhereTheTestCanReadIt() {
		// A type computed at run time escapes this test: only the eligibility reasons
		// may.
		assertThat(dynamicTypes).allMatch((site) -> site.endsWith("first.code()"), "computed from eligibility reasons");
	}

	@Test
	void everyProblemTypeHasATitleAndADetailInBothLanguages() throws IOException {
		for (String bundle : List.of("messages", "messages_en")) {
			Properties messages = load(bundle);
			List<String> missing = new ArrayList<>();
			for (String type : sites.keySet()) {
				for (String part : List.of("title", "detail")) {
					String key = "problem." + type + "." + part;
					if (messages.getProperty(key, "").isBlank()) {
						missing.add(key);
					}
				}
			}
			assertThat(missing).as("missing in %s.properties", bundle).isEmpty();
		}
	}

	@Test
	void aDetailNamesOnlyFieldsEveryThrowSiteOfItsTypePasses() throws IOException {
		for (String bundle : List.of("messages", "messages_en")) {
			Properties messages = load(bundle);
			List<String> wrong = new ArrayList<>();
			for (String key : messages.stringPropertyNames()) {
				if (!key.startsWith("problem.") || !key.endsWith(".detail")) {
					continue;
				}
				String type = key.substring("problem.".length(), key.length() - ".detail".length());
				Set<String> passed = passedEverywhere(type);
				Matcher placeholder = PLACEHOLDER.matcher(messages.getProperty(key));
				while (placeholder.find()) {
					String name = placeholder.group(1);
					if (!name.matches("[A-Za-z][A-Za-z0-9]*") || (passed != null && !passed.contains(name))) {
						wrong.add(key + ": {" + name + "} (passed: " + passed + ")");
					}
				}
			}
			assertThat(wrong).as("placeholders in %s.properties", bundle).isEmpty();
		}
	}

	@Test
	void everyProblemMessageBelongsToAThrownType() throws IOException {
		for (String bundle : List.of("messages", "messages_en")) {
			Set<String> stale = new TreeSet<>();
			for (String key : load(bundle).stringPropertyNames()) {
				if (key.startsWith("problem.")) {
					String type = key.substring("problem.".length(), key.lastIndexOf('.'));
					if (!sites.containsKey(type)) {
						stale.add(key);
					}
				}
			}
			assertThat(stale).as("no throw site in %s.properties", bundle).isEmpty();
		}
	}

	/** The names passed at every site of the type, or null if a site's are not known. */
	private static Set<String> passedEverywhere(String type) {
		Set<String> common = null;
		for (Site site : sites.getOrDefault(type, List.of())) {
			if (site.names() == null) {
				return null;
			}
			if (common == null) {
				common = new HashSet<>(site.names());
			}
			else {
				common.retainAll(site.names());
			}
		}
		return (common != null) ? common : Set.of();
	}

	/**
	 * Records each match as a site of its type, with the argument names of the map passed
	 * at {@code mapIndex} (zero-based) when it is written as {@code Map.of(...)}.
	 */
	private static void find(String source, Pattern pattern, int mapIndex) {
		Matcher matcher = pattern.matcher(source);
		while (matcher.find()) {
			List<String> arguments = arguments(source, matcher.start());
			Set<String> names = new LinkedHashSet<>();
			if (arguments.size() > mapIndex) {
				String map = arguments.get(mapIndex).replaceFirst("^java\\.util\\.", "");
				if (!map.startsWith("Map.of(")) {
					names = null;
				}
				else {
					List<String> entries = arguments(map, 0);
					for (int i = 0; i < entries.size(); i += 2) {
						names.add(unquote(entries.get(i)));
					}
				}
			}
			add(matcher.group(1), names);
		}
	}

	private static void add(String type, Set<String> names) {
		sites.computeIfAbsent(type, (t) -> new ArrayList<>()).add(new Site(names));
	}

	/** The top-level arguments of the first call that opens at or after {@code from}. */
	private static List<String> arguments(String source, int from) {
		List<String> arguments = new ArrayList<>();
		int depth = 0;
		StringBuilder current = new StringBuilder();
		for (int i = source.indexOf('(', from); i < source.length(); i++) {
			char c = source.charAt(i);
			if (c == '"' || c == '\'') {
				int end = i + 1;
				while (source.charAt(end) != c) {
					end += (source.charAt(end) == '\\') ? 2 : 1;
				}
				current.append(source, i, end + 1);
				i = end;
				continue;
			}
			if (c == '(' || c == '[' || c == '{') {
				depth++;
				if (depth == 1) {
					continue;
				}
			}
			else if (c == ')' || c == ']' || c == '}') {
				depth--;
				if (depth == 0) {
					break;
				}
			}
			else if (c == ',' && depth == 1) {
				arguments.add(current.toString().strip());
				current.setLength(0);
				continue;
			}
			current.append(c);
		}
		if (!current.isEmpty()) {
			arguments.add(current.toString().strip());
		}
		return arguments;
	}

	private static String unquote(String literal) {
		return (literal.startsWith("\"") && literal.endsWith("\"")) ? literal.substring(1, literal.length() - 1)
				: "<" + literal + ">";
	}

	private static Properties load(String bundle) throws IOException {
		Properties properties = new Properties();
		try (Reader reader = Files.newBufferedReader(RESOURCES.resolve(bundle + ".properties"),
				StandardCharsets.UTF_8)) {
			properties.load(reader);
		}
		return properties;
	}

	/** One throw site: the names of the arguments it passes, null when not readable. */
	private record Site(Set<String> names) {
	}

}
