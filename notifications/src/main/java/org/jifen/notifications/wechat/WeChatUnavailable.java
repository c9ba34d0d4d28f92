package org.jifen.notifications.wechat;

/**
 * WeChat could not be asked, or did not answer sensibly: unreachable, timed out, an HTTP
 * error, a body that is not JSON, no access token. Worth trying again later.
 */
final class WeChatUnavailable extends RuntimeException {

	WeChatUnavailable(String reason) {
		// No stack trace: this is an expected outcome, reported as a retryable failure.
		super(reason, null, false, false);
	}

}
