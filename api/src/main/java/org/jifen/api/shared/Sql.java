package org.jifen.api.shared;

import org.jspecify.annotations.Nullable;

import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;

/**
 * Small helpers for hand-written SQL through R2DBC's {@code DatabaseClient}.
 */
public final class Sql {

	private Sql() {
	}

	/** Binds a value that may be absent: R2DBC needs the type to bind a null. */
	public static GenericExecuteSpec bindNullable(GenericExecuteSpec spec, String name, @Nullable Object value,
			Class<?> type) {
		return (value != null) ? spec.bind(name, value) : spec.bindNull(name, type);
	}

}
