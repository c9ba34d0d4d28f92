package org.jifen.api.merchants;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether a member may use an offer now, and if not, every reason why with its figures
 * (the phone shows "needs 4 stars, you have 3"). Pure rules over facts read elsewhere.
 */
final class Eligibility {

	private Eligibility() {
	}

	/**
	 * What is known about the member and their village when the offer is weighed.
	 *
	 * @param served whether the merchant serves the member's village
	 * @param forbidden goods categories the village forbids
	 * @param today the date in the village's zone
	 * @param spendable whether the offer's point kind may be spent
	 * @param stars the household's live stars under the village's rule
	 * @param score the payer's score of the offer's kind (the household's, or the
	 * member's for a member-owned kind)
	 * @param available the payer's available points of the kind
	 * @param used uses of this offer by the member in the current period
	 */
	record Facts(boolean served, Set<String> forbidden, LocalDate today, boolean spendable, int stars, long score,
			long available, long used) {
	}

	/**
	 * A reason an offer cannot be used: a stable code and the figures that explain it.
	 */
	record Refusal(String code, Map<String, Object> figures) {
	}

	static List<Refusal> refusals(Offer offer, Facts facts) {
		List<Refusal> refusals = new ArrayList<>();
		if (!offer.active()) {
			refusals.add(refusal("offer-withdrawn"));
		}
		if (!facts.served()) {
			refusals.add(refusal("not-served"));
		}
		if (facts.forbidden().contains(offer.goodsCategory())) {
			refusals.add(refusal("forbidden-goods", "category", offer.goodsCategory()));
		}
		if (offer.validFrom() != null && facts.today().isBefore(offer.validFrom())) {
			refusals.add(refusal("not-yet-valid", "validFrom", offer.validFrom().toString()));
		}
		if (offer.validUntil() != null && facts.today().isAfter(offer.validUntil())) {
			refusals.add(refusal("no-longer-valid", "validUntil", offer.validUntil().toString()));
		}
		if (offer.pointsCost() > 0 && !facts.spendable()) {
			refusals.add(refusal("kind-not-spendable"));
		}
		if (facts.stars() < offer.minStars()) {
			refusals.add(refusal("needs-stars", "required", offer.minStars(), "stars", facts.stars()));
		}
		if (offer.minScore() != null && facts.score() < offer.minScore()) {
			refusals.add(refusal("needs-score", "required", offer.minScore(), "score", facts.score()));
		}
		if (facts.available() < offer.pointsCost()) {
			refusals
				.add(refusal("insufficient-points", "required", offer.pointsCost(), "available", facts.available()));
		}
		if (offer.usesPerPeriod() != null && facts.used() >= offer.usesPerPeriod()) {
			refusals.add(refusal("uses-exhausted", "usesPerPeriod", offer.usesPerPeriod(), "period",
					offer.usePeriod().name(), "used", facts.used()));
		}
		if (offer.stock() != null && offer.stock() <= 0) {
			refusals.add(refusal("out-of-stock"));
		}
		return refusals;
	}

	private static Refusal refusal(String code, Object... figures) {
		Map<String, Object> map = new LinkedHashMap<>();
		for (int i = 0; i < figures.length; i += 2) {
			map.put((String) figures[i], figures[i + 1]);
		}
		return new Refusal(code, map);
	}

}
