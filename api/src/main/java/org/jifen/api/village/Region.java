package org.jifen.api.village;

import org.jspecify.annotations.Nullable;

/**
 * A county, town, village or village group. Only a county has no parent; every other
 * region sits directly inside a region one level up. Periods are cut in the region's time
 * zone.
 */
public record Region(RegionId id, @Nullable RegionId parentId, RegionLevel level, String code, String name,
		String timeZone) {
}
