package org.jifen.api.village;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A household (户) of a village: the unit that earns governance points. Its number is
 * unique in its village; its group, when set, is a group of that same village.
 */
public record Household(HouseholdId id, RegionId villageId, @Nullable RegionId groupId, String number, String headName,
		@Nullable String address, List<Member> members) {
}
