package org.jifen.api.merchants;

import java.time.LocalDate;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The rules of who may use an offer, each reason with its figures. */
class EligibilityTests {

	private static final LocalDate TODAY = LocalDate.of(2026, 11, 22);

	@Test
	void aMemberWhoMeetsEverythingHasNoReason() {
		assertThat(Eligibility.refusals(offer(3, 100L, 2, TODAY, TODAY, 5), facts(4, 150, 200, 1))).isEmpty();
	}

	@Test
	void everyUnmetRuleIsAReasonWithItsFigures() {
		var refusals = Eligibility.refusals(offer(4, 100L, 2, TODAY.plusDays(1), null, 0), facts(3, 80, 10, 2));
		assertThat(refusals).extracting(Eligibility.Refusal::code)
			.containsExactly("not-yet-valid", "needs-stars", "needs-score", "insufficient-points", "uses-exhausted",
					"out-of-stock");
		assertThat(refusals.get(1).figures()).containsEntry("required", 4).containsEntry("stars", 3);
		assertThat(refusals.get(4).figures()).containsEntry("usesPerPeriod", 2)
			.containsEntry("period", "MONTH")
			.containsEntry("used", 2L);
	}

	@Test
	void anOfferPastItsLastDayOrOfForbiddenGoodsIsRefused() {
		Offer liquor = new Offer(1, 1, "白酒", Offer.Type.AMOUNT_OFF, null, null, 1000L, null, null, 0, null, 0, null,
				null, null, null, TODAY.minusDays(1), "alcohol", false, true);
		var refusals = Eligibility.refusals(liquor,
				new Eligibility.Facts(true, Set.of("alcohol"), TODAY, true, 0, 0, 0, 0));
		assertThat(refusals).extracting(Eligibility.Refusal::code)
			.containsExactly("forbidden-goods", "no-longer-valid");
	}

	@Test
	void percentOffRoundsDownToTheFenAndStopsAtTheCap() {
		Offer books = new Offer(1, 1, "图书八折", Offer.Type.PERCENT_OFF, 15, 5000L, null, null, null, 0, null, 0, null,
				null, null, null, null, "general", false, true);
		assertThat(books.discountOn(999)).isEqualTo(149);
		assertThat(books.discountOn(100_000)).isEqualTo(5000);
	}

	private static Offer offer(int minStars, Long minScore, Integer uses, LocalDate from, LocalDate until, int stock) {
		return new Offer(1, 1, "大米", Offer.Type.ITEM_EXCHANGE, null, null, null, 2500L, stock, 50, null, minStars,
				minScore, uses, Offer.UsePeriod.MONTH, from, until, "general", false, true);
	}

	private static Eligibility.Facts facts(int stars, long score, long available, long used) {
		return new Eligibility.Facts(true, Set.of(), TODAY, true, stars, score, available, used);
	}

}
