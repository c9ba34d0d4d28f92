package org.jifen.api.ledger;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.jifen.api.village.HouseholdId;
import org.jifen.api.village.RegionId;

/**
 * One movement of points in one village and kind: its legs' amounts sum to zero (double
 * entry). {@code amount} moves available; {@code scoreDelta} moves score, which only
 * awards and deductions touch. A {@code requestId} makes the posting idempotent: posting
 * it again returns the first one.
 */
public record Posting(RegionId village, long kindId, String type, String memo, @Nullable String requestId,
		List<Leg> legs) {

	/** One account's side of a posting. */
	public record Leg(AccountRef account, long amount, long scoreDelta) {
	}

	public Posting {
		legs = List.copyOf(legs);
		if (legs.size() < 2) {
			throw new IllegalArgumentException("A posting has at least two legs");
		}
		if (legs.stream().mapToLong(Leg::amount).sum() != 0) {
			throw new IllegalArgumentException("A posting's amounts must sum to zero");
		}
		if (memo.isBlank() || type.isBlank()) {
			throw new IllegalArgumentException("A posting says what it is and why");
		}
	}

	/** Points awarded to a household: from issuance, raising score and available. */
	public static Posting award(RegionId village, long kindId, HouseholdId household, long points, String memo,
			@Nullable String requestId) {
		requirePositive(points);
		return new Posting(village, kindId, "AWARD", memo, requestId,
				List.of(new Leg(AccountRef.household(household), points, points),
						new Leg(AccountRef.system(SystemRole.ISSUANCE), -points, 0)));
	}

	/**
	 * Points deducted from a household: back to issuance, lowering score and available.
	 */
	public static Posting deduction(RegionId village, long kindId, HouseholdId household, long points, String memo,
			@Nullable String requestId) {
		requirePositive(points);
		return new Posting(village, kindId, "DEDUCTION", memo, requestId,
				List.of(new Leg(AccountRef.household(household), -points, -points),
						new Leg(AccountRef.system(SystemRole.ISSUANCE), points, 0)));
	}

	/**
	 * Points spent by a household: into the sink, lowering available only (score keeps
	 * its rank).
	 */
	public static Posting spend(RegionId village, long kindId, HouseholdId household, long points, String memo,
			@Nullable String requestId) {
		requirePositive(points);
		return new Posting(village, kindId, "SPEND", memo, requestId,
				List.of(new Leg(AccountRef.household(household), -points, 0),
						new Leg(AccountRef.system(SystemRole.SINK), points, 0)));
	}

	/**
	 * Points given from one account to another of the same kind (a donation: household to
	 * household, or member to member): available moves, score stays where it was earned.
	 */
	public static Posting transfer(RegionId village, long kindId, AccountRef from, AccountRef to, long points,
			String memo, @Nullable String requestId) {
		requirePositive(points);
		return new Posting(village, kindId, "DONATION", memo, requestId,
				List.of(new Leg(from, -points, 0), new Leg(to, points, 0)));
	}

	private static void requirePositive(long points) {
		if (points <= 0) {
			throw new IllegalArgumentException("Points moved must be positive");
		}
	}

}
