package org.jifen.api.village;

import org.jspecify.annotations.Nullable;

/** A household as it appears in a list. */
public record HouseholdSummary(HouseholdId id, @Nullable RegionId groupId, String number, String headName,
		int memberCount) {
}
