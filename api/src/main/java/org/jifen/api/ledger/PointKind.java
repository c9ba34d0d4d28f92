package org.jifen.api.ledger;

/**
 * A kind of points (存折), configured per county: who owns its accounts, whether it resets
 * at the village's new year, and whether it may be spent, given away or go below zero.
 */
public record PointKind(long id, long countyId, String code, String name, Owner owner, Reset reset, boolean spendable,
		boolean transferable, boolean mayGoNegative, boolean isDefault) {

	/** Whose accounts hold this kind. */
	public enum Owner {

		HOUSEHOLD, MEMBER

	}

	/** When the kind starts again from zero. */
	public enum Reset {

		NEVER, YEARLY

	}

}
