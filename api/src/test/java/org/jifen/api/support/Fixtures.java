package org.jifen.api.support;

import java.util.List;

import org.jifen.api.village.NewHousehold;
import org.jifen.api.village.Region;
import org.jifen.api.village.RegionLevel;
import org.jifen.api.village.Villages;

/**
 * Small, real data for tests, made through the features' public services.
 */
public final class Fixtures {

	private Fixtures() {
	}

	/** A county › town › village chain; returns the village. */
	public static Region village(Villages villages, String code) {
		Region county = villages.createRegion(null, RegionLevel.COUNTY, code + "-county", "淄川区").block();
		Region town = villages.createRegion(county.id(), RegionLevel.TOWN, code + "-town", "寨里镇").block();
		return villages.createRegion(town.id(), RegionLevel.VILLAGE, code, "寨里村").block();
	}

	public static NewHousehold household(String number, String head) {
		return new NewHousehold(null, number, head, null,
				List.of(new NewHousehold.NewMember(head, "户主", 1960), new NewHousehold.NewMember("李秀英", "配偶", 1962)));
	}

}
