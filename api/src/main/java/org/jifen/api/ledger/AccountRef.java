package org.jifen.api.ledger;

import org.jifen.api.village.HouseholdId;
import org.jifen.api.village.MemberId;

/**
 * Whose account a leg of a posting moves: a household's, a member's, or one of the
 * village's system accounts. The account itself is opened on first use.
 */
public sealed interface AccountRef {

	record Household(HouseholdId id) implements AccountRef {
	}

	record Member(MemberId id) implements AccountRef {
	}

	record System(SystemRole role) implements AccountRef {
	}

	static AccountRef household(HouseholdId id) {
		return new Household(id);
	}

	static AccountRef system(SystemRole role) {
		return new System(role);
	}

}
