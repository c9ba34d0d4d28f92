package org.jifen.api.boards;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Map;

import org.jifen.api.shared.DomainException;

/**
 * The periods a board covers, cut in the village's time zone. Each names its board by a
 * key derived from the moment of a posting ({@code 2026-11}, {@code 2026-Q4},
 * {@code 2026}, {@code all}); PostgreSQL derives the same key with {@link #sqlKey} so
 * that a rebuild from the ledger puts every posting where the live boards did.
 */
public enum BoardPeriod {

	MONTH, QUARTER, YEAR, ALL;

	/** When the period holding {@code at} began, in {@code zone}. */
	public Instant startOf(Instant at, ZoneId zone) {
		LocalDate day = at.atZone(zone).toLocalDate();
		LocalDate first = switch (this) {
			case MONTH -> day.withDayOfMonth(1);
			case QUARTER -> day.withMonth(((day.getMonthValue() - 1) / 3) * 3 + 1).withDayOfMonth(1);
			case YEAR -> day.withDayOfYear(1);
			case ALL -> LocalDate.of(1970, 1, 1);
		};
		return first.atStartOfDay(zone).toInstant();
	}

	/** The key of the period containing {@code at} in {@code zone}. */
	public String keyOf(Instant at, ZoneId zone) {
		ZonedDateTime local = at.atZone(zone);
		return switch (this) {
			case MONTH -> String.format(Locale.ROOT, "%04d-%02d", local.getYear(), local.getMonthValue());
			case QUARTER -> String.format(Locale.ROOT, "%04d-Q%d", local.getYear(), (local.getMonthValue() + 2) / 3);
			case YEAR -> String.format(Locale.ROOT, "%04d", local.getYear());
			case ALL -> "all";
		};
	}

	/**
	 * The SQL expression of the key for {@code occurredAt} (a timestamptz) in
	 * {@code zone} (a time zone name), matching {@link #keyOf}.
	 */
	String sqlKey(String occurredAt, String zone) {
		String local = "(" + occurredAt + " at time zone " + zone + ")";
		return switch (this) {
			case MONTH -> "to_char(" + local + ", 'YYYY-MM')";
			case QUARTER -> "to_char(" + local + ", 'YYYY-\"Q\"Q')";
			case YEAR -> "to_char(" + local + ", 'YYYY')";
			case ALL -> "'all'";
		};
	}

	/**
	 * Whether a posting of this type moves this period's boards. A yearly reset brings
	 * the points of past years back to zero: it moves the all-time board (which then
	 * equals the score), never the new month, quarter or year.
	 */
	boolean counts(String postingType) {
		return this == ALL || !"RESET".equals(postingType);
	}

	/** Reads {@code month}, {@code quarter}, {@code year} or {@code all}. */
	public static BoardPeriod parse(String text) {
		for (BoardPeriod period : values()) {
			if (period.name().equalsIgnoreCase(text)) {
				return period;
			}
		}
		throw new DomainException(DomainException.Kind.MALFORMED, "invalid-board-period",
				"A board's period is month, quarter, year or all, not " + text + ".", Map.of("period", text));
	}

	/** The lower-case name the API uses. */
	public String label() {
		return name().toLowerCase(Locale.ROOT);
	}

}
