package org.jifen.notifications;

/**
 * What became of one notification on one channel. Expected outcomes are values of this
 * type, never errors, so that the outbox relay can decide per channel: done after
 * {@link Sent} or {@link Skipped}, back off and try again after a retryable
 * {@link Failed}, give up after a permanent one.
 */
public sealed interface Delivery {

	/**
	 * The channel accepted the notification.
	 */
	record Sent() implements Delivery {
	}

	/**
	 * Not sent, and it never will be: trying again would give the same answer.
	 *
	 * @param reason why the channel left it alone
	 */
	record Skipped(SkipReason reason) implements Delivery {
	}

	/**
	 * Not sent.
	 *
	 * @param retryable whether trying again later may succeed (busy, unreachable, timed
	 * out), as opposed to a message the channel will always refuse
	 * @param reason what went wrong, for the operator; never holds secrets
	 */
	record Failed(boolean retryable, String reason) implements Delivery {
	}

	/**
	 * Why a channel skipped a notification.
	 */
	enum SkipReason {

		/** The channel has no template or text for this event type. */
		NOT_CONFIGURED,

		/** The recipient has no address on this channel (no openid, no phone number). */
		NO_ADDRESS,

		/** The recipient has not agreed to receive this message. */
		NO_CONSENT,

		/** The channel says the recipient's consent is used up or was withdrawn. */
		CONSENT_USED_UP

	}

	static Delivery sent() {
		return new Sent();
	}

	static Delivery skipped(SkipReason reason) {
		return new Skipped(reason);
	}

	static Delivery retryable(String reason) {
		return new Failed(true, reason);
	}

	static Delivery permanent(String reason) {
		return new Failed(false, reason);
	}

}
