package org.jifen.notifications.wechat;

/**
 * A user's consent to receive one subscribe message template. WeChat counts consents per
 * user and template: each tap on "allow" in {@code wx.requestSubscribeMessage} permits
 * one message, and each message sent uses one up.
 *
 * @param openid the user
 * @param templateId the template
 * @param remaining how many more messages of this template the user allowed
 */
public record SubscriptionConsent(String openid, String templateId, int remaining) {

	/**
	 * Whether one more message may be sent.
	 */
	public boolean allowsOneMore() {
		return this.remaining > 0;
	}

}
