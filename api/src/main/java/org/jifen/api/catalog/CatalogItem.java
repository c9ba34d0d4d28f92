package org.jifen.api.catalog;

import java.time.LocalDate;

import org.jspecify.annotations.Nullable;

/**
 * One version of a catalog item. Points are positive for awards and negative for
 * deductions; a cap, when set, bounds the points one household may get from the item in
 * one period.
 */
public record CatalogItem(long id, long villageId, String code, int version, boolean current, String name,
		String category, int points, @Nullable Integer capPoints, @Nullable CapPeriod capPeriod,
		boolean evidenceRequired, @Nullable LocalDate activeFrom, @Nullable LocalDate activeUntil) {

	/** The period a cap is counted over, in the village's time zone. */
	public enum CapPeriod {

		MONTH, QUARTER, YEAR

	}

	public boolean isDeduction() {
		return this.points < 0;
	}

	public boolean activeOn(LocalDate day) {
		return (this.activeFrom == null || !day.isBefore(this.activeFrom))
				&& (this.activeUntil == null || !day.isAfter(this.activeUntil));
	}

}
