package org.jifen.leaderboards;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Boards kept in Redis sorted sets: members ranked by integer points, ties going to the
 * member who reached the points first (see {@link ScoreEncoding} for the bounds). Every
 * read costs O(log N) plus the size of the answer, whatever the board's size.
 *
 * <p>
 * Works on a standalone server and on Redis Cluster alike: give it the reactive commands
 * of a Lettuce connection with a {@code String} codec, for example
 * {@code new Leaderboards(RedisClient.create(uri).connect().reactive())}. It holds no
 * state of its own, so one instance serves every board and every caller.
 *
 * <p>
 * {@link #applyChange applyChange} counts each ledger change once however often it is
 * delivered, by remembering the ids of the changes a board applied for a retention window
 * (seven days by default, measured on the changes' own times). A change older than the
 * newest applied change by more than the window is refused with
 * {@link ChangeTooOldException}, since the board can no longer tell whether it has seen
 * it.
 *
 * <p>
 * {@link #rebuild rebuild} replaces a board at once: readers see the old board or the new
 * one, never a mix. Changes applied to the old board while a rebuild runs are lost when
 * the new board replaces it; and the ids of changes already summed into the rebuilt
 * points are not remembered unless they were applied before. The caller therefore
 * rebuilds from a snapshot of the ledger and marks the changes that snapshot covers but
 * has yet to deliver with {@link #markApplied markApplied}, or pauses delivery to the
 * board meanwhile.
 */
public final class Leaderboards {

	/** How long a board remembers the ids of the changes it applied, by default. */
	public static final Duration DEFAULT_CHANGE_RETENTION = Duration.ofDays(7);

	/** Members written to the temporary set per round trip during a rebuild. */
	private static final int REBUILD_BATCH = 500;

	/**
	 * How long an unfinished rebuild's temporary set outlives its last batch, so that a
	 * rebuild whose process died does not leave it behind for ever.
	 */
	private static final Duration REBUILD_LEASE = Duration.ofMinutes(15);

	// The answers of the apply-change script.
	private static final int APPLIED = 1;

	private static final int ALREADY_APPLIED = 0;

	private static final int TOO_OLD_TO_CHECK = -1;

	private static final int OUT_OF_RANGE = -2;

	/**
	 * Applies one change to a member and remembers its id, in one atomic step. The points
	 * are decoded from the score, moved by the delta and encoded again with the moment
	 * they were reached: the change's time, or the member's current one if later (so that
	 * changes delivered out of order end where in-order delivery would, and where a
	 * rebuild from the ledger puts them). Returns 1 when applied, 0 for a change already
	 * applied, -1 for one too old to tell, -2 when the points would leave the bounds.
	 */
	private static final String APPLY_CHANGE = """
			local board, applied = KEYS[1], KEYS[2]
			local member, delta, change_id = ARGV[1], tonumber(ARGV[2]), ARGV[3]
			local second, retention = tonumber(ARGV[4]), tonumber(ARGV[5])
			local span, max_points = tonumber(ARGV[6]), tonumber(ARGV[7])

			if redis.call('ZSCORE', applied, change_id) then
				return 0
			end
			local newest = second
			local latest = redis.call('ZREVRANGE', applied, 0, 0, 'WITHSCORES')
			if latest[2] then
				local latest_second = tonumber(latest[2])
				if second < latest_second - retention then
					return -1
				end
				newest = math.max(second, latest_second)
			end

			local points, reached = 0, second
			local current = redis.call('ZSCORE', board, member)
			if current then
				current = tonumber(current)
				points = math.floor(current / span)
				local current_reached = span - 1 - (current - points * span)
				if current_reached > reached then
					reached = current_reached
				end
			end
			points = points + delta
			if points < -max_points or points > max_points then
				return -2
			end

			-- Lua would print a number with 14 digits; 17 keep every integer up to 2^53 exact.
			redis.call('ZADD', board, string.format('%.17g', points * span + (span - 1 - reached)), member)
			redis.call('ZADD', applied, second, change_id)
			redis.call('ZREMRANGEBYSCORE', applied, '-inf', '(' .. string.format('%.17g', newest - retention))
			return 1
			""";

	/**
	 * Reads the members from {@code above} places above a member to {@code below} places
	 * below it, in one atomic step so the ranks agree with each other. Answers the first
	 * position (from 0) followed by member and score pairs, or nothing for an absent
	 * member.
	 */
	private static final String AROUND = """
			local rank = redis.call('ZREVRANK', KEYS[1], ARGV[1])
			if not rank then
				return {}
			end
			local first = math.max(0, rank - tonumber(ARGV[2]))
			local page = redis.call('ZREVRANGE', KEYS[1], first, rank + tonumber(ARGV[3]), 'WITHSCORES')
			table.insert(page, 1, first)
			return page
			""";

	/**
	 * Remembers change ids as applied without moving any member, at the given second or
	 * the newest applied one if later (so that they are kept for a whole window after the
	 * newest change, however old they are). Answers how many ids were new.
	 */
	private static final String MARK_APPLIED = """
			local applied, second = KEYS[1], tonumber(ARGV[1])
			local latest = redis.call('ZREVRANGE', applied, 0, 0, 'WITHSCORES')
			if latest[2] then
				second = math.max(second, tonumber(latest[2]))
			end
			local marked = 0
			for i = 2, #ARGV do
				marked = marked + redis.call('ZADD', applied, 'NX', second, ARGV[i])
			end
			return marked
			""";

	/**
	 * Puts a finished rebuild in the board's place in one step and drops the expiry that
	 * guarded the temporary set. Answers the new board's size.
	 */
	private static final String PUBLISH_REBUILD = """
			if redis.call('EXISTS', KEYS[1]) == 0 then
				return redis.error_reply('the rebuilt board expired before it was published')
			end
			redis.call('RENAME', KEYS[1], KEYS[2])
			redis.call('PERSIST', KEYS[2])
			return redis.call('ZCARD', KEYS[2])
			""";

	private final RedisClusterReactiveCommands<String, String> redis;

	private final long changeRetentionSeconds;

	private final LuaScript applyChange;

	private final LuaScript around;

	private final LuaScript publishRebuild;

	private final LuaScript markApplied;

	/** Boards on the given connection, remembering applied changes for seven days. */
	public Leaderboards(RedisClusterReactiveCommands<String, String> redis) {
		this(redis, DEFAULT_CHANGE_RETENTION);
	}

	/**
	 * Boards on the given connection, remembering applied changes for the given window.
	 * The window must cover the longest a change may be delayed or redelivered after a
	 * later one; each id costs about a hundred bytes per board for that long.
	 */
	public Leaderboards(RedisClusterReactiveCommands<String, String> redis, Duration changeRetention) {
		this.redis = Objects.requireNonNull(redis, "redis");
		if (changeRetention.isNegative() || changeRetention.toSeconds() < 1) {
			throw new IllegalArgumentException("Changes must be remembered for a second at least: " + changeRetention);
		}
		this.changeRetentionSeconds = changeRetention.toSeconds();
		this.applyChange = new LuaScript(redis, APPLY_CHANGE, ScriptOutputType.INTEGER);
		this.around = new LuaScript(redis, AROUND, ScriptOutputType.MULTI);
		this.publishRebuild = new LuaScript(redis, PUBLISH_REBUILD, ScriptOutputType.INTEGER);
		this.markApplied = new LuaScript(redis, MARK_APPLIED, ScriptOutputType.INTEGER);
	}

	/**
	 * Applies a change to the board once: a change whose id the board has already applied
	 * changes nothing. Emits {@code true} when the change was applied now, {@code false}
	 * when it had been before.
	 * <p>
	 * Fails with {@link ScoreOutOfRangeException} if the member's points would leave
	 * {@link ScoreEncoding}'s bounds (nothing is changed then), and with
	 * {@link ChangeTooOldException} if the change is too old to tell.
	 */
	public Mono<Boolean> applyChange(BoardKey board, PointsChange change) {
		String[] keys = { board.redisKey(), board.appliedChangesKey() };
		Flux<Long> outcome = this.applyChange.run(this.redis, keys, change.member(), Long.toString(change.delta()),
				change.changeId(), Long.toString(ScoreEncoding.secondOf(change.at())),
				Long.toString(this.changeRetentionSeconds), Long.toString(ScoreEncoding.TIME_SPAN),
				Long.toString(ScoreEncoding.MAX_POINTS));
		return outcome.single().flatMap((code) -> switch (code.intValue()) {
			case APPLIED -> Mono.just(true);
			case ALREADY_APPLIED -> Mono.just(false);
			case TOO_OLD_TO_CHECK -> Mono.error(new ChangeTooOldException(
					"Change " + change.changeId() + " at " + change.at() + " is older than the "
							+ this.changeRetentionSeconds + " s in which " + board + " remembers applied changes"));
			case OUT_OF_RANGE -> Mono.error(new ScoreOutOfRangeException("Change " + change.changeId() + " of "
					+ change.delta() + " would take " + change.member() + " outside [" + ScoreEncoding.MIN_POINTS + ", "
					+ ScoreEncoding.MAX_POINTS + "] points on " + board));
			default -> Mono.error(new IllegalStateException("Unexpected answer " + code + " applying a change"));
		});
	}

	/**
	 * Remembers changes as applied without applying them: for a rebuild whose entries
	 * already count them while their deliveries are still on the way. {@code latest} is
	 * the time of the newest of them; they are kept for the retention window after it (or
	 * after the newest change the board applied, if later), so their deliveries change
	 * nothing, however old they are. Emits how many were not yet remembered.
	 */
	public Mono<Long> markApplied(BoardKey board, Collection<String> changeIds, Instant latest) {
		String second = Long.toString(ScoreEncoding.secondOf(latest));
		return Flux.fromIterable(changeIds).buffer(REBUILD_BATCH).concatMap((batch) -> {
			List<String> arguments = new ArrayList<>(batch.size() + 1);
			arguments.add(second);
			arguments.addAll(batch);
			return this.markApplied.<Long>run(this.redis, new String[] { board.appliedChangesKey() },
					arguments.toArray(String[]::new));
		}).reduce(0L, Long::sum);
	}

	/**
	 * Sets a member's points outright, as reached at the given moment, adding the member
	 * if absent. Not tied to a change id: setting the same points twice is harmless
	 * anyway.
	 */
	public Mono<Void> setPoints(BoardKey board, String member, long points, Instant achievedAt) {
		Objects.requireNonNull(member, "member");
		return Mono.fromCallable(() -> ScoreEncoding.encode(points, achievedAt))
			.flatMap((score) -> this.redis.zadd(board.redisKey(), score, member))
			.then();
	}

	/** The first {@code count} members, best first; fewer if the board is smaller. */
	public Flux<Standing> top(BoardKey board, int count) {
		if (count < 0) {
			return Flux.error(new IllegalArgumentException("Cannot read " + count + " members"));
		}
		if (count == 0) {
			// ZREVRANGE 0 -1 would answer the whole board.
			return Flux.empty();
		}
		return this.redis.zrevrangeWithScores(board.redisKey(), 0, count - 1L)
			.index()
			.map((indexed) -> toStanding(indexed.getT2(), indexed.getT1()));
	}

	/** Where one member stands, or empty if the member is not on the board. */
	public Mono<Standing> standingOf(BoardKey board, String member) {
		return around(board, member, 0, 0).singleOrEmpty();
	}

	/**
	 * The page around one member: up to {@code above} members ranked just above it, the
	 * member itself, and up to {@code below} members just below, best first, all read at
	 * one instant. Near the top or bottom the page is shorter on that side. Empty if the
	 * member is not on the board.
	 */
	public Flux<Standing> around(BoardKey board, String member, int above, int below) {
		Objects.requireNonNull(member, "member");
		if (above < 0 || below < 0) {
			return Flux.error(new IllegalArgumentException(
					"Cannot read " + above + " members above and " + below + " below " + member));
		}
		return this.around
			.<List<Object>>run(this.redis, new String[] { board.redisKey() }, member, Integer.toString(above),
					Integer.toString(below))
			.next()
			.flatMapMany(Leaderboards::toPage);
	}

	/** How many members the board holds. */
	public Mono<Long> count(BoardKey board) {
		return this.redis.zcard(board.redisKey());
	}

	/** Takes a member off the board; emits whether it was there. */
	public Mono<Boolean> remove(BoardKey board, String member) {
		Objects.requireNonNull(member, "member");
		return this.redis.zrem(board.redisKey(), member).map((removed) -> removed > 0);
	}

	/**
	 * Deletes the board and the ids of the changes it applied, for example once its
	 * period is over and no longer shown.
	 */
	public Mono<Void> delete(BoardKey board) {
		return this.redis.del(board.redisKey(), board.appliedChangesKey(), board.builtEmptyKey()).then();
	}

	/**
	 * Whether the board holds members, or was marked built empty within the marker's
	 * lifetime. A board with no members is otherwise indistinguishable from one never
	 * built, and its owner would rebuild it on every read.
	 */
	public Mono<Boolean> exists(BoardKey board) {
		return this.redis.exists(board.redisKey(), board.builtEmptyKey()).map((found) -> found > 0);
	}

	/** Marks the board as built with no members, for {@code lifetime}. */
	public Mono<Void> markEmpty(BoardKey board, Duration lifetime) {
		return this.redis.psetex(board.builtEmptyKey(), lifetime.toMillis(), "1").then();
	}

	/**
	 * Replaces the board with the given entries. The new board is built aside under a
	 * temporary key in the board's hash slot and then renamed over the board in one
	 * atomic step, so readers see the old board until the new one is complete. No entries
	 * delete the board. An entry repeated for the same member keeps the last one. Emits
	 * the size of the new board.
	 * <p>
	 * If the entries fail, or the subscriber cancels, the temporary set is deleted and
	 * the board is left as it was; if the process dies midway, the temporary set expires
	 * on its own. The ids of applied changes are kept (see the class description).
	 */
	public Mono<Long> rebuild(BoardKey board, Flux<BoardEntry> entries) {
		return Mono.usingWhen(Mono.fromSupplier(() -> board.rebuildKey(newBuildId())),
				(buildKey) -> buildAside(buildKey, entries)
					.flatMap((written) -> (written > 0) ? publish(buildKey, board) : deleteBoard(board)),
				(publishedOrNeverWritten) -> Mono.empty(), (buildKey, error) -> this.redis.del(buildKey),
				(buildKey) -> this.redis.del(buildKey));
	}

	/**
	 * Tells concurrent rebuilds of one board apart. Not {@code UUID.randomUUID()}: its
	 * {@code SecureRandom} may read a device file on a non-blocking thread.
	 */
	private static String newBuildId() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		return Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
	}

	private Mono<Long> deleteBoard(BoardKey board) {
		return this.redis.del(board.redisKey()).thenReturn(0L);
	}

	private Mono<Long> buildAside(String buildKey, Flux<BoardEntry> entries) {
		return entries.map(Leaderboards::toScoredValue)
			.buffer(REBUILD_BATCH)
			.concatMap((batch) -> writeBatch(buildKey, batch))
			.reduce(0L, Long::sum);
	}

	@SuppressWarnings("unchecked")
	private Mono<Long> writeBatch(String buildKey, List<ScoredValue<String>> batch) {
		return this.redis.zadd(buildKey, batch.toArray(ScoredValue[]::new))
			.then(this.redis.pexpire(buildKey, REBUILD_LEASE))
			.thenReturn((long) batch.size());
	}

	private Mono<Long> publish(String buildKey, BoardKey board) {
		return this.publishRebuild.<Long>run(this.redis, new String[] { buildKey, board.redisKey() }).single();
	}

	private static ScoredValue<String> toScoredValue(BoardEntry entry) {
		return ScoredValue.just(ScoreEncoding.encode(entry.points(), entry.achievedAt()), entry.member());
	}

	private static Standing toStanding(ScoredValue<String> scored, long zeroBasedPosition) {
		return Standing.decode(scored.getValue(), zeroBasedPosition, scored.getScore());
	}

	/**
	 * Turns the around script's answer, {@code [first, member, score, …]}, into
	 * standings.
	 */
	private static Flux<Standing> toPage(List<Object> answer) {
		if (answer.isEmpty()) {
			return Flux.empty();
		}
		long first = (Long) answer.get(0);
		List<Standing> page = new ArrayList<>((answer.size() - 1) / 2);
		for (int i = 1; i + 1 < answer.size(); i += 2) {
			page.add(Standing.decode((String) answer.get(i), first + page.size(),
					Double.parseDouble((String) answer.get(i + 1))));
		}
		return Flux.fromIterable(page);
	}

}
