package org.jifen.api.support;

import java.util.List;

import org.jifen.api.ledger.Ledger;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.ledger.Posting;
import org.jifen.api.village.Household;
import org.jifen.api.village.NewHousehold;
import org.jifen.api.village.Region;
import org.jifen.api.village.RegionLevel;
import org.jifen.api.village.Villages;
import org.jifen.api.web.PageRequest;

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

	/** Registers one household in the village and returns it, with its members. */
	public static Household registered(Villages villages, Region village, NewHousehold household) {
		villages.registerHouseholds(village.id(), List.of(household)).block();
		return villages.households(village.id(), PageRequest.of(null, PageRequest.MAX_LIMIT))
			.block()
			.items()
			.stream()
			.filter((summary) -> summary.number().equals(household.number()))
			.findFirst()
			.map((summary) -> villages.household(summary.id()).block())
			.orElseThrow();
	}

	/**
	 * Awards points to a household in its village's default kind, straight into the
	 * ledger.
	 */
	public static void award(Ledger ledger, PointKinds kinds, Region village, Household household, long points,
			String memo) {
		long kind = kinds.defaultKind(village.id()).block().id();
		ledger.post(Posting.award(village.id(), kind, household.id(), points, memo, null)).block();
	}

	public static NewHousehold household(String number, String head) {
		return new NewHousehold(null, number, head, null,
				List.of(new NewHousehold.NewMember(head, "户主", 1960), new NewHousehold.NewMember("李秀英", "配偶", 1962)));
	}

}
