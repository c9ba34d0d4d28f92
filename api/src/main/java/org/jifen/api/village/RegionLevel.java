package org.jifen.api.village;

/** How regions nest: a county holds towns, a town villages, a village its groups. */
public enum RegionLevel {

	COUNTY, TOWN, VILLAGE, GROUP;

	/** The level of the regions directly inside this one; none inside a group. */
	public RegionLevel child() {
		return switch (this) {
			case COUNTY -> TOWN;
			case TOWN -> VILLAGE;
			case VILLAGE -> GROUP;
			case GROUP -> throw new IllegalStateException("A village group holds no regions");
		};
	}

}
