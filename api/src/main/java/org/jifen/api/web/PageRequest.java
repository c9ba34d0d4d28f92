package org.jifen.api.web;

import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.jspecify.annotations.Nullable;

/**
 * Where a page starts and how long it is. The id is exclusive: a page holds items after
 * it.
 *
 * @param afterId the sort key after which the page starts; 0 for the first page
 * @param limit how many items at most, 1 to {@value #MAX_LIMIT}
 */
public record PageRequest(long afterId, int limit) {

	public static final int DEFAULT_LIMIT = 20;

	public static final int MAX_LIMIT = 100;

	/**
	 * Reads the {@code cursor} and {@code limit} query parameters; bad values are 400
	 * problems.
	 */
	public static PageRequest of(@Nullable String cursor, @Nullable Integer limit) {
		int size = (limit != null) ? limit : DEFAULT_LIMIT;
		if (size < 1 || size > MAX_LIMIT) {
			throw new DomainException(Kind.MALFORMED, "invalid-limit", "limit must be between 1 and 100.");
		}
		long afterId = (cursor == null || cursor.isBlank()) ? 0 : Cursor.decode(cursor);
		return new PageRequest(afterId, size);
	}

	/** One more than the limit: fetching it tells whether another page follows. */
	public int fetchSize() {
		return this.limit + 1;
	}

}
