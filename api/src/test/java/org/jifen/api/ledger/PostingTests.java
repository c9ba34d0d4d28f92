package org.jifen.api.ledger;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.jifen.api.village.HouseholdId;
import org.jifen.api.village.RegionId;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class PostingTests {

	private static final RegionId VILLAGE = new RegionId(3);

	private static final AccountRef HOUSEHOLD = AccountRef.household(new HouseholdId(1));

	/**
	 * The journal checks each leg against its own account's figures in one statement, so
	 * two legs on one account could net a spend into an overdraw.
	 */
	@Test
	void refusesTwoLegsOnTheSameAccount() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new Posting(VILLAGE, 1, "SPEND", "积分超市: 洗衣粉", null,
					List.of(new Posting.Leg(HOUSEHOLD, -5, -5), new Posting.Leg(HOUSEHOLD, -3, 0),
							new Posting.Leg(AccountRef.system(SystemRole.ISSUANCE), 8, 0))))
			.withMessageContaining("distinct accounts");
	}

	@Test
	void refusesAmountsThatDoNotSumToZero() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new Posting(VILLAGE, 1, "AWARD", "孝: 照顾老人", null,
					List.of(new Posting.Leg(HOUSEHOLD, 5, 5),
							new Posting.Leg(AccountRef.system(SystemRole.ISSUANCE), -4, 0))))
			.withMessageContaining("sum to zero");
	}

	@Test
	void anAwardMovesTheHouseholdAndIssuance() {
		Posting award = Posting.award(VILLAGE, 1, new HouseholdId(1), 5, "孝: 照顾老人", "claim-1");
		assertThat(award.legs()).extracting(Posting.Leg::account)
			.containsExactly(HOUSEHOLD, AccountRef.system(SystemRole.ISSUANCE));
	}

}
