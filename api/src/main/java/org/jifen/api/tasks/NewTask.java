package org.jifen.api.tasks;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A need to post. {@code fromVillagePool} puts the reward from the village pool (admins);
 * otherwise it comes from the available points of the villager the need is for: the
 * poster, or {@code forMemberId} when an admin posts on an elderly villager's behalf
 * (代点单). {@code kind} is a point kind code, the county's volunteer kind (爱心存折) if absent.
 */
public record NewTask(String title, @Nullable String description, String category, @Nullable Long groupId, int slots,
		long reward, Instant startsAt, Instant deadline, @Nullable String skills, @Nullable String kind,
		boolean fromVillagePool, @Nullable Long forMemberId) {
}
