package org.jifen.leaderboards;

import java.util.Objects;

/**
 * Names one board: a ranking for a scope (such as a region), a period and a kind of
 * points, optionally narrowed to a category. The parts are opaque to this library; it
 * only turns them into Redis keys.
 *
 * <p>
 * Every key of one board (its sorted set, the ids of the changes it has applied, the
 * temporary set of a rebuild) carries the same hash tag
 * {@code {scope|period|kind|category}}, so in Redis Cluster they share one slot and a
 * script or {@code RENAME} may touch them together. Parts are therefore non-blank and may
 * not contain {@code {}, {@code }} (which would end the hash tag early) or {@code |}
 * (which separates the parts).
 *
 * @param scope whose ranking it is, for example a region id
 * @param period which period it covers, for example {@code 2026-11} or {@code all}
 * @param kind which kind of points it ranks
 * @param category an optional narrower category, or {@code null} for none
 */
public record BoardKey(String scope, String period, String kind, String category) {

	private static final String KEY_PREFIX = "jifen:board:";

	public BoardKey {
		checkPart("scope", scope);
		checkPart("period", period);
		checkPart("kind", kind);
		if (category != null) {
			checkPart("category", category);
		}
	}

	/** A board of a whole kind, without a category. */
	public static BoardKey of(String scope, String period, String kind) {
		return new BoardKey(scope, period, kind, null);
	}

	/** The same board narrowed to one category. */
	public BoardKey withCategory(String category) {
		return new BoardKey(this.scope, this.period, this.kind, Objects.requireNonNull(category, "category"));
	}

	/** The sorted set holding the board's members and scores. */
	String redisKey() {
		return KEY_PREFIX + hashTag();
	}

	/** The sorted set of change ids already applied, scored by the change's second. */
	String appliedChangesKey() {
		return redisKey() + ":applied";
	}

	/** Present for a while after the board was built empty. */
	String builtEmptyKey() {
		return redisKey() + ":empty";
	}

	/** A fresh temporary key in the board's slot, for building a new board aside. */
	String rebuildKey(String buildId) {
		return redisKey() + ":rebuild:" + buildId;
	}

	private String hashTag() {
		String tag = this.scope + "|" + this.period + "|" + this.kind;
		// Parts never contain '|', so a board without a category never reads as one with.
		return "{" + ((this.category != null) ? tag + "|" + this.category : tag) + "}";
	}

	private static void checkPart(String name, String value) {
		Objects.requireNonNull(value, name);
		if (value.isBlank()) {
			throw new IllegalArgumentException("A board's " + name + " must not be blank");
		}
		if (value.indexOf('{') >= 0 || value.indexOf('}') >= 0 || value.indexOf('|') >= 0) {
			throw new IllegalArgumentException("A board's " + name
					+ " must not contain '{', '}' or '|' (they delimit its Redis hash tag): " + value);
		}
	}

}
