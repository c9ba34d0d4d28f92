package org.jifen.api.identity;

/** The roles of DESIGN.md's table; each is granted for one region, or one merchant. */
public enum Role {

	VILLAGER, VOLUNTEER, MERCHANT_STAFF, REVIEWER, VILLAGE_ADMIN, TOWN_ADMIN, COUNTY_ADMIN, SUPERVISOR;

	/** Admins change things in their region; the supervisor only reads. */
	public boolean administers() {
		return this == VILLAGE_ADMIN || this == TOWN_ADMIN || this == COUNTY_ADMIN;
	}

}
