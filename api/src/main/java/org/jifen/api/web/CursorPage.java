package org.jifen.api.web;

import java.util.List;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import org.jspecify.annotations.Nullable;

/**
 * One page of a list and the cursor of the next page, absent on the last page.
 */
public record CursorPage<T>(List<T> items, @Nullable String nextCursor) {

	/**
	 * Builds a page from rows fetched with {@link PageRequest#fetchSize()}: an extra row
	 * means another page follows, and the last row shown becomes the cursor.
	 */
	public static <T> CursorPage<T> of(List<T> fetched, PageRequest request, ToLongFunction<T> sortKey) {
		if (fetched.size() <= request.limit()) {
			return new CursorPage<>(fetched, null);
		}
		List<T> items = fetched.subList(0, request.limit());
		return new CursorPage<>(List.copyOf(items), Cursor.encode(sortKey.applyAsLong(items.getLast())));
	}

	public <R> CursorPage<R> map(Function<T, R> mapper) {
		return new CursorPage<>(this.items.stream().map(mapper).toList(), this.nextCursor);
	}

}
