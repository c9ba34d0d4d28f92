package org.jifen.api.identity;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.jifen.api.shared.Actor;

/**
 * The signed-in person behind a request: their user id, the member they are (for
 * villagers), and the roles they hold where.
 */
public record Caller(long userId, @Nullable Long memberId, String name, List<Grant> grants) {

	public Caller {
		grants = List.copyOf(grants);
	}

	public Actor actor() {
		return Actor.user(this.userId);
	}

	public boolean holds(Role role) {
		return this.grants.stream().anyMatch((grant) -> grant.role() == role);
	}

}
