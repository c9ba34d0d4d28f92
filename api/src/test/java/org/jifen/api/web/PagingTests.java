package org.jifen.api.web;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.jifen.api.shared.DomainException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PagingTests {

	@Test
	void aCursorRoundTripsItsSortKey() {
		assertThat(Cursor.decode(Cursor.encode(4711))).isEqualTo(4711);
	}

	@Test
	void aCursorTheApiDidNotMakeIsRefused() {
		assertThatThrownBy(() -> Cursor.decode("bm9wZQ")).isInstanceOf(DomainException.class)
			.hasFieldOrPropertyWithValue("type", "invalid-cursor");
		assertThatThrownBy(() -> Cursor.decode("%%%")).isInstanceOf(DomainException.class);
		assertThatThrownBy(() -> Cursor.decode(Cursor.encode(1).substring(1))).isInstanceOf(DomainException.class);
	}

	@Test
	void theLimitStaysBetween1And100() {
		assertThat(PageRequest.of(null, null).limit()).isEqualTo(20);
		assertThat(PageRequest.of("", 100).limit()).isEqualTo(100);
		assertThatThrownBy(() -> PageRequest.of(null, 0)).hasFieldOrPropertyWithValue("type", "invalid-limit");
		assertThatThrownBy(() -> PageRequest.of(null, 101)).hasFieldOrPropertyWithValue("type", "invalid-limit");
	}

	@Test
	void anExtraRowMeansAnotherPageFollows() {
		PageRequest request = PageRequest.of(null, 2);
		CursorPage<Long> full = CursorPage.of(List.of(5L, 6L, 7L), request, Long::longValue);
		assertThat(full.items()).containsExactly(5L, 6L);
		assertThat(Cursor.decode(full.nextCursor())).isEqualTo(6);

		CursorPage<Long> last = CursorPage.of(List.of(8L), request, Long::longValue);
		assertThat(last.items()).containsExactly(8L);
		assertThat(last.nextCursor()).isNull();
	}

}
