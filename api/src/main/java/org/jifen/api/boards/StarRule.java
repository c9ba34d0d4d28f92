package org.jifen.api.boards;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.jifen.api.shared.DomainException;

/**
 * A village's rule for star levels on one kind's board of one period: by thresholds on
 * the score (70 points or more, three stars) or by shares of the ranking (the top 10%,
 * five stars). Steps hold one to five distinct star levels from 1 to 5; a household below
 * every step has no star. Pure rule code: no Redis, no database.
 */
public record StarRule(BoardPeriod period, Mode mode, List<Step> steps) {

	/** How a step's bound is read. */
	public enum Mode {

		/** The bound is the least score earning the step's stars. */
		THRESHOLD,
		/** The bound is the top percentage (1 to 100) of the ranking earning them. */
		SHARE

	}

	/** One star level and its bound. */
	public record Step(int stars, long bound) {
	}

	/** Volunteers' stars by yearly points: 100, 300, 600, 1000, 1500 → one to five. */
	public static final StarRule VOLUNTEER = new StarRule(BoardPeriod.YEAR, Mode.THRESHOLD,
			List.of(new Step(1, 100), new Step(2, 300), new Step(3, 600), new Step(4, 1000), new Step(5, 1500)));

	public StarRule {
		steps = steps.stream().sorted(Comparator.comparingInt(Step::stars)).toList();
		if (steps.isEmpty() || steps.size() > 5) {
			throw invalid("A star rule has one to five steps.");
		}
		for (int i = 0; i < steps.size(); i++) {
			Step step = steps.get(i);
			if (step.stars() < 1 || step.stars() > 5 || (i > 0 && steps.get(i - 1).stars() == step.stars())) {
				throw invalid("Each step names a different star level from 1 to 5.");
			}
			if (mode == Mode.SHARE && (step.bound() < 1 || step.bound() > 100)) {
				throw invalid("A share is a percentage from 1 to 100.");
			}
			// More stars must be harder to earn: a higher score, or a smaller share.
			if (i > 0 && ((mode == Mode.THRESHOLD) ? step.bound() <= steps.get(i - 1).bound()
					: step.bound() >= steps.get(i - 1).bound())) {
				throw invalid("More stars must need a higher score or a smaller share of the ranking.");
			}
		}
	}

	/**
	 * The stars of a household with these points at this rank (from 1) on a board of
	 * {@code ranked} households; 0 for none.
	 */
	public int starsOf(long points, long rank, long ranked) {
		int stars = 0;
		for (Step step : this.steps) {
			boolean earned = switch (this.mode) {
				case THRESHOLD -> points >= step.bound();
				// The top ceil(ranked × share %) places: on a small board the first place
				// counts.
				case SHARE -> rank <= Math.ceilDiv(ranked * step.bound(), 100);
			};
			if (earned) {
				stars = step.stars();
			}
		}
		return stars;
	}

	private static DomainException invalid(String message) {
		return new DomainException(DomainException.Kind.MALFORMED, "invalid-star-rule", message, Map.of());
	}

}
