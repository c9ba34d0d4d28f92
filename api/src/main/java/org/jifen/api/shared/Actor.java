package org.jifen.api.shared;

import org.jspecify.annotations.Nullable;

/**
 * Who performs a change, for the audit trail: the signed-in user and, when an admin acts
 * for a villager without a smartphone (代办), the member acted for.
 */
public record Actor(long userId, @Nullable Long onBehalfOfMemberId) {

	public static Actor user(long userId) {
		return new Actor(userId, null);
	}

}
