package org.jifen.api.identity;

import java.util.regex.Pattern;

import reactor.core.publisher.Mono;

import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;

/**
 * WeChat for the embedded default and tests, used when no app id and secret are
 * configured. It accepts the documented dev codes {@code dev-<name>} and answers the
 * openid {@code dev-openid-<name>}; every other code is refused, as WeChat would.
 */
class FakeWeChat implements WeChat {

	private static final Pattern DEV_CODE = Pattern.compile("dev-([A-Za-z0-9_-]{1,60})");

	@Override
	public Mono<String> openid(String code) {
		var match = DEV_CODE.matcher(code);
		if (!match.matches()) {
			return Mono.error(new DomainException(Kind.UNAUTHENTICATED, "wechat-code-invalid",
					"The WeChat login code is invalid or used; call wx.login again."));
		}
		return Mono.just("dev-openid-" + match.group(1));
	}

}
