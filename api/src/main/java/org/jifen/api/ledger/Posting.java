package org.jifen.api.ledger;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.jifen.api.village.HouseholdId;
import org.jifen.api.village.RegionId;

/**
 * One movement of points in one village and kind: its legs' amounts sum to zero (double
 * entry), each on an account of its own. {@code amount} moves available;
 * {@code scoreDelta} moves score, which only awards and deductions touch. A
 * {@code requestId} makes the posting idempotent: posting it again returns the first one.
 * An optional {@code category} (a catalog item's, such as 孝 or 善) is kept in the journal
 * for per-category boards.
 */
public record Posting(RegionId village, long kindId, String type, String memo, @Nullable String requestId,
		List<Leg> legs, @Nullable String category) {

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
		// Each leg is checked against its own account's figures (no overdraw), so no two
		// legs may move the same account.
		if (legs.stream().map(Leg::account).distinct().count() != legs.size()) {
			throw new IllegalArgumentException("A posting's legs move distinct accounts");
		}
		if (memo.isBlank() || type.isBlank()) {
			throw new IllegalArgumentException("A posting says what it is and why");
		}
		if (category != null && category.isBlank()) {
			throw new IllegalArgumentException("A posting's category is absent or named");
		}
	}

	/** A posting without a category. */
	public Posting(RegionId village, long kindId, String type, String memo, @Nullable String requestId,
			List<Leg> legs) {
		this(village, kindId, type, memo, requestId, legs, null);
	}

	/** The same posting filed under a category. */
	public Posting inCategory(@Nullable String category) {
		return new Posting(this.village, this.kindId, this.type, this.memo, this.requestId, this.legs, category);
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

	/**
	 * A task's reward put in escrow when it is posted: from the village pool (issuance)
	 * or the poster's own available points, into the village's escrow account of the
	 * kind. Score stays where it was earned.
	 */
	public static Posting escrow(RegionId village, long kindId, AccountRef from, long points, String memo,
			@Nullable String requestId) {
		requirePositive(points);
		return new Posting(village, kindId, "ESCROW", memo, requestId,
				List.of(new Leg(from, -points, 0), new Leg(AccountRef.system(SystemRole.ESCROW), points, 0)));
	}

	/**
	 * A volunteer paid from escrow for confirmed work: available and score rise
	 * (volunteer points rank and make stars).
	 */
	public static Posting taskPay(RegionId village, long kindId, AccountRef volunteer, long points, String memo,
			String requestId) {
		requirePositive(points);
		return new Posting(village, kindId, "TASK_PAY", memo, requestId,
				List.of(new Leg(AccountRef.system(SystemRole.ESCROW), -points, 0), new Leg(volunteer, points, points)));
	}

	/**
	 * A town volunteer's pay leaving the task's village, which cannot hold an account of
	 * another village's villager: from escrow to the village's issuance. Its other half
	 * is {@link #taskPayIn} in the volunteer's home village, in the same transaction.
	 */
	public static Posting taskPayOut(RegionId village, long kindId, long points, String memo, String requestId) {
		requirePositive(points);
		return new Posting(village, kindId, "TASK_PAY_OUT", memo, requestId,
				List.of(new Leg(AccountRef.system(SystemRole.ESCROW), -points, 0),
						new Leg(AccountRef.system(SystemRole.ISSUANCE), points, 0)));
	}

	/**
	 * A town volunteer paid in their home village for work in another village of the town
	 * (see {@link #taskPayOut}): from issuance, raising available and score.
	 */
	public static Posting taskPayIn(RegionId village, long kindId, AccountRef volunteer, long points, String memo,
			String requestId) {
		requirePositive(points);
		return new Posting(village, kindId, "TASK_PAY_IN", memo, requestId, List
			.of(new Leg(AccountRef.system(SystemRole.ISSUANCE), -points, 0), new Leg(volunteer, points, points)));
	}

	/**
	 * Unpaid reward going back from escrow to where it came from (a cancelled, expired or
	 * disputed task).
	 */
	public static Posting escrowReturn(RegionId village, long kindId, AccountRef funder, long points, String memo,
			String requestId) {
		requirePositive(points);
		return new Posting(village, kindId, "ESCROW_RETURN", memo, requestId,
				List.of(new Leg(AccountRef.system(SystemRole.ESCROW), -points, 0), new Leg(funder, points, 0)));
	}

	/**
	 * Points held for a redemption at a merchant: from the payer's available into
	 * merchant settlement, where they wait for the till to confirm (capture) or for the
	 * hold to be voided (release). Settlement's balance is therefore the sum of open
	 * holds.
	 */
	public static Posting hold(RegionId village, long kindId, AccountRef payer, long points, String memo,
			String requestId) {
		requirePositive(points);
		return new Posting(village, kindId, "HOLD", memo, requestId, List.of(new Leg(payer, -points, 0),
				new Leg(AccountRef.system(SystemRole.MERCHANT_SETTLEMENT), points, 0)));
	}

	/** A confirmed redemption: the held points leave settlement for the sink (spent). */
	public static Posting capture(RegionId village, long kindId, long points, String memo, String requestId) {
		requirePositive(points);
		return new Posting(village, kindId, "CAPTURE", memo, requestId,
				List.of(new Leg(AccountRef.system(SystemRole.MERCHANT_SETTLEMENT), -points, 0),
						new Leg(AccountRef.system(SystemRole.SINK), points, 0)));
	}

	/** A hold voided or cancelled: the held points go back to the payer. */
	public static Posting release(RegionId village, long kindId, AccountRef payer, long points, String memo,
			String requestId) {
		requirePositive(points);
		return new Posting(village, kindId, "RELEASE", memo, requestId, List
			.of(new Leg(AccountRef.system(SystemRole.MERCHANT_SETTLEMENT), -points, 0), new Leg(payer, points, 0)));
	}

	/** A captured redemption reversed by the merchant: spent points come back. */
	public static Posting refund(RegionId village, long kindId, AccountRef payer, long points, String memo,
			String requestId) {
		requirePositive(points);
		return new Posting(village, kindId, "REFUND", memo, requestId,
				List.of(new Leg(AccountRef.system(SystemRole.SINK), -points, 0), new Leg(payer, points, 0)));
	}

	private static void requirePositive(long points) {
		if (points <= 0) {
			throw new IllegalArgumentException("Points moved must be positive");
		}
	}

}
