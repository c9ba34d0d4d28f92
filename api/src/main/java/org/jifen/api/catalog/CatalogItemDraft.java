package org.jifen.api.catalog;

import java.time.LocalDate;

import org.jspecify.annotations.Nullable;

/** What an admin writes for a new item or a new version of one. */
public record CatalogItemDraft(String code, String name, String category, int points, @Nullable Integer capPoints,
		CatalogItem.@Nullable CapPeriod capPeriod, boolean evidenceRequired, @Nullable LocalDate activeFrom,
		@Nullable LocalDate activeUntil) {

	public CatalogItemDraft {
		if (points == 0) {
			throw new IllegalArgumentException("An item awards or deducts points");
		}
		if ((capPoints == null) != (capPeriod == null)) {
			throw new IllegalArgumentException("A cap needs both points and a period");
		}
	}

}
