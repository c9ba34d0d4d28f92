package org.jifen.api.identity;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.security.web.server.firewall.StrictServerWebExchangeFirewall;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The firewall's header check without a regular expression must allow and refuse exactly
 * what Spring Security's own predicates do.
 */
class HeaderCharactersTests {

	@Test
	void everyCodePointIsJudgedAsSpringSecurityJudgesIt() {
		List<String> disagreements = new ArrayList<>();
		for (int codePoint = 0; codePoint <= Character.MAX_CODE_POINT; codePoint++) {
			String text = "a" + Character.toString(codePoint) + "b";
			if (HeaderCharacters.allowedValue(text) != StrictServerWebExchangeFirewall.ALLOWED_HEADER_VALUES
				.test(text)) {
				disagreements.add(String.format("value with U+%04X", codePoint));
			}
			if (HeaderCharacters.allowedName(text) != StrictServerWebExchangeFirewall.ALLOWED_HEADER_NAMES.test(text)) {
				disagreements.add(String.format("name with U+%04X", codePoint));
			}
		}
		assertThat(disagreements).isEmpty();
	}

	@Test
	void tokensPassAndControlCharactersDoNot() {
		assertThat(HeaderCharacters.allowedValue("Bearer eyJhbGciOiJSUzI1NiJ9.eyJ1aWQiOjF9.c2ln")).isTrue();
		assertThat(HeaderCharacters.allowedValue("zh-CN,zh;q=0.9\tlatin: é, 村")).isTrue();
		assertThat(HeaderCharacters.allowedValue("")).isTrue();
		assertThat(HeaderCharacters.allowedValue("evil\r\nSet-Cookie: x")).isFalse();
		assertThat(HeaderCharacters.allowedValue("nul\u0000")).isFalse();
		assertThat(HeaderCharacters.allowedName("X-Tab\tName")).isFalse();
		assertThat(HeaderCharacters.allowedValue(null))
			.isEqualTo(StrictServerWebExchangeFirewall.ALLOWED_HEADER_VALUES.test(null))
			.isTrue();
		assertThat(HeaderCharacters.allowedName(null))
			.isEqualTo(StrictServerWebExchangeFirewall.ALLOWED_HEADER_NAMES.test(null));
		assertThat(HeaderCharacters.allowedValue("lone \uD800 surrogate"))
			.isEqualTo(StrictServerWebExchangeFirewall.ALLOWED_HEADER_VALUES.test("lone \uD800 surrogate"));
	}

}
