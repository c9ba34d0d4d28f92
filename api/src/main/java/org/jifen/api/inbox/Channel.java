package org.jifen.api.inbox;

/**
 * Where a notification may go besides the inbox, which always keeps it. By default the
 * live stream and WeChat are on and SMS (which costs the village money) is off.
 */
public enum Channel {

	LIVE(true), WECHAT(true), SMS(false);

	private final boolean onByDefault;

	Channel(boolean onByDefault) {
		this.onByDefault = onByDefault;
	}

	public boolean onByDefault() {
		return this.onByDefault;
	}

}
