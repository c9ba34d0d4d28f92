package org.jifen.api.identity;

import reactor.core.publisher.Mono;

/**
 * The port to WeChat's code-to-session exchange: a {@code wx.login} code in, the user's
 * openid out. A bad code is a {@code wechat-code-invalid} problem.
 */
interface WeChat {

	Mono<String> openid(String code);

}
