package org.jifen.api.merchants;

import java.time.LocalDate;

import org.jspecify.annotations.Nullable;

/**
 * What a merchant gives for points. Money is integer fen. {@code PERCENT_OFF} takes
 * {@code percentOff} whole percent of the bill, at most {@code capFen};
 * {@code AMOUNT_OFF} takes {@code amountOffFen}, at most the bill; {@code ITEM_EXCHANGE}
 * hands over an item worth {@code itemValueFen} from {@code stock} (积分超市).
 * {@code pointsCost} may be 0 (a perk that only needs eligibility). A member may use it
 * {@code usesPerPeriod} times per {@code usePeriod} (in the village's zone).
 * {@code villageSubsidised}: the village fund owes the merchant the discount given.
 */
public record Offer(long id, long merchantId, String title, Type type, @Nullable Integer percentOff,
		@Nullable Long capFen, @Nullable Long amountOffFen, @Nullable Long itemValueFen, @Nullable Integer stock,
		long pointsCost, @Nullable String kind, int minStars, @Nullable Long minScore, @Nullable Integer usesPerPeriod,
		@Nullable UsePeriod usePeriod, @Nullable LocalDate validFrom, @Nullable LocalDate validUntil,
		String goodsCategory, boolean villageSubsidised, boolean active) {

	/** The most items an exchange offer may have in stock. */
	public static final int MAX_STOCK = 1_000_000;

	public enum Type {

		PERCENT_OFF, AMOUNT_OFF, ITEM_EXCHANGE

	}

	public enum UsePeriod {

		DAY, WEEK, MONTH, YEAR

	}

	/**
	 * These terms in place of an existing offer's: its id, stock and whether it is active
	 * stay.
	 */
	Offer replacing(Offer existing) {
		return new Offer(existing.id, this.merchantId, this.title, this.type, this.percentOff, this.capFen,
				this.amountOffFen, this.itemValueFen, existing.stock, this.pointsCost, this.kind, this.minStars,
				this.minScore, this.usesPerPeriod, this.usePeriod, this.validFrom, this.validUntil, this.goodsCategory,
				this.villageSubsidised, existing.active);
	}

	/**
	 * The discount in fen on a bill of {@code billFen}; for an item, its value. Integer
	 * arithmetic, rounded down in the customer's disfavour by at most one fen.
	 */
	long discountOn(long billFen) {
		return switch (this.type) {
			case PERCENT_OFF -> {
				long off = Math.multiplyExact(billFen, (long) this.percentOff) / 100;
				yield (this.capFen != null) ? Math.min(off, this.capFen) : off;
			}
			case AMOUNT_OFF -> Math.min(this.amountOffFen, billFen);
			case ITEM_EXCHANGE -> this.itemValueFen;
		};
	}

}
