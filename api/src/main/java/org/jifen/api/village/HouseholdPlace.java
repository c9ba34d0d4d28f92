package org.jifen.api.village;

import java.time.ZoneId;
import java.util.List;

/**
 * Where a household lives: its village, the village's time zone, and the regions from the
 * village up to the county. Read in one query, because every read of a household's points
 * needs all three.
 */
public record HouseholdPlace(HouseholdId household, RegionId village, ZoneId timeZone, List<RegionId> ancestry) {

	public HouseholdPlace {
		ancestry = List.copyOf(ancestry);
	}

}
