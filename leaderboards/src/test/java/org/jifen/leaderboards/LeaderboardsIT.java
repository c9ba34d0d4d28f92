package org.jifen.leaderboards;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Boards against a real Redis: ranking, ties, pages, idempotent changes and atomic
 * rebuilds.
 */
class LeaderboardsIT {

	private static final Instant MORNING = Instant.parse("2026-11-22T08:00:00Z");

	private static final BoardKey BOARD = BoardKey.of("village:101", "2026-11", "conduct");

	private final RealRedis redis = RealRedis.get();

	private StatefulRedisConnection<String, String> connection;

	private Leaderboards boards;

	@BeforeEach
	void startFromAnEmptyRedis() {
		this.redis.flushAll();
		this.connection = this.redis.connect();
		this.boards = new Leaderboards(this.connection.reactive());
	}

	@AfterEach
	void closeConnection() {
		this.connection.close();
	}

	@Test
	void ranksEqualPointsByWhoReachedThemFirst() {
		set("late", 50, MORNING.plusSeconds(60));
		set("early", 50, MORNING);
		set("middle", 50, MORNING.plusSeconds(30));
		set("ahead", 51, MORNING.plusSeconds(3600));

		StepVerifier.create(this.boards.top(BOARD, 10))
			.expectNext(new Standing("ahead", 1, 51, MORNING.plusSeconds(3600)))
			.expectNext(new Standing("early", 2, 50, MORNING))
			.expectNext(new Standing("middle", 3, 50, MORNING.plusSeconds(30)))
			.expectNext(new Standing("late", 4, 50, MORNING.plusSeconds(60)))
			.verifyComplete();
	}

	@Test
	void aChangeMovesTheTieBreakToTheChangesTime() {
		apply("tx-1", "first", 10, MORNING);
		apply("tx-2", "second", 5, MORNING.plusSeconds(10));
		apply("tx-3", "second", 5, MORNING.plusSeconds(20));

		// Both hold 10; "first" reached 10 twenty seconds before "second" did.
		assertThat(members(this.boards.top(BOARD, 2))).containsExactly("first", "second");
		assertThat(this.boards.standingOf(BOARD, "second").block())
			.isEqualTo(new Standing("second", 2, 10, MORNING.plusSeconds(20)));

		apply("tx-4", "first", -1, MORNING.plusSeconds(30));
		apply("tx-5", "first", 1, MORNING.plusSeconds(40));
		assertThat(members(this.boards.top(BOARD, 2))).containsExactly("second", "first");
	}

	@Test
	void changesDeliveredOutOfOrderEndAsInOrder() {
		apply("tx-2", "late-news", 3, MORNING.plusSeconds(20));
		apply("tx-1", "late-news", 7, MORNING.plusSeconds(10));
		apply("tx-3", "in-order", 7, MORNING.plusSeconds(10));
		apply("tx-4", "in-order", 3, MORNING.plusSeconds(20));

		assertThat(this.boards.standingOf(BOARD, "late-news").block().achievedAt())
			.isEqualTo(this.boards.standingOf(BOARD, "in-order").block().achievedAt())
			.isEqualTo(MORNING.plusSeconds(20));
	}

	@Test
	void aBoardMarkedBuiltEmptyExistsUntilTheMarkRunsOutOrItIsDeleted() {
		assertThat(this.boards.exists(BOARD).block()).isFalse();
		this.boards.markEmpty(BOARD, Duration.ofMillis(300)).block();
		assertThat(this.boards.exists(BOARD).block()).isTrue();
		assertThat(this.boards.count(BOARD).block()).isZero();
		await(Duration.ofMillis(400));
		assertThat(this.boards.exists(BOARD).block()).isFalse();

		this.boards.markEmpty(BOARD, Duration.ofMinutes(1)).block();
		this.boards.delete(BOARD).block();
		assertThat(this.boards.exists(BOARD).block()).isFalse();
		set("someone", 1, MORNING);
		assertThat(this.boards.exists(BOARD).block()).isTrue();
	}

	@Test
	void readsTheTopMembersBestFirst() {
		for (int i = 1; i <= 20; i++) {
			set("m" + i, i * 10, MORNING);
		}

		List<Standing> top = this.boards.top(BOARD, 3).collectList().block();

		assertThat(top).extracting(Standing::member).containsExactly("m20", "m19", "m18");
		assertThat(top).extracting(Standing::rank).containsExactly(1L, 2L, 3L);
		assertThat(top).extracting(Standing::points).containsExactly(200L, 190L, 180L);
		assertThat(this.boards.top(BOARD, 100).count().block()).isEqualTo(20);
		assertThat(this.boards.top(BOARD, 0).count().block()).isZero();
		StepVerifier.create(this.boards.top(BOARD.withCategory("empty"), 3)).verifyComplete();
	}

	@Test
	void readsTheRankAndPointsOfOneMember() {
		for (int i = 1; i <= 20; i++) {
			set("m" + i, i * 10, MORNING.plusSeconds(i));
		}

		assertThat(this.boards.standingOf(BOARD, "m15").block())
			.isEqualTo(new Standing("m15", 6, 150, MORNING.plusSeconds(15)));
		StepVerifier.create(this.boards.standingOf(BOARD, "absent")).verifyComplete();
	}

	@Test
	void readsThePageAroundAMemberAtTheTopMiddleAndBottom() {
		for (int i = 1; i <= 20; i++) {
			set("m" + i, i * 10, MORNING);
		}

		List<Standing> atTop = this.boards.around(BOARD, "m19", 3, 2).collectList().block();
		assertThat(atTop).extracting(Standing::member).containsExactly("m20", "m19", "m18", "m17");
		assertThat(atTop).extracting(Standing::rank).containsExactly(1L, 2L, 3L, 4L);

		List<Standing> inTheMiddle = this.boards.around(BOARD, "m10", 2, 2).collectList().block();
		assertThat(inTheMiddle).extracting(Standing::member).containsExactly("m12", "m11", "m10", "m9", "m8");
		assertThat(inTheMiddle).extracting(Standing::rank).containsExactly(9L, 10L, 11L, 12L, 13L);
		assertThat(inTheMiddle).extracting(Standing::points).containsExactly(120L, 110L, 100L, 90L, 80L);

		List<Standing> atBottom = this.boards.around(BOARD, "m2", 2, 3).collectList().block();
		assertThat(atBottom).extracting(Standing::member).containsExactly("m4", "m3", "m2", "m1");
		assertThat(atBottom).extracting(Standing::rank).containsExactly(17L, 18L, 19L, 20L);

		StepVerifier.create(this.boards.around(BOARD, "absent", 2, 2)).verifyComplete();
	}

	@Test
	void countsAndRemovesMembers() {
		set("a", 1, MORNING);
		set("b", 2, MORNING);
		set("c", 3, MORNING);
		assertThat(this.boards.count(BOARD).block()).isEqualTo(3);

		assertThat(this.boards.remove(BOARD, "b").block()).isTrue();
		assertThat(this.boards.remove(BOARD, "b").block()).isFalse();

		assertThat(this.boards.count(BOARD).block()).isEqualTo(2);
		assertThat(members(this.boards.top(BOARD, 10))).containsExactly("c", "a");
		assertThat(this.boards.standingOf(BOARD, "a").block().rank()).isEqualTo(2);
		assertThat(this.boards.count(BOARD.withCategory("never-written")).block()).isZero();
	}

	@Test
	void aReplayedChangeIsNotCountedTwice() {
		PointsChange change = new PointsChange("tx-42", "a", 15, MORNING);

		assertThat(this.boards.applyChange(BOARD, change).block()).isTrue();
		assertThat(this.boards.applyChange(BOARD, change).block()).isFalse();

		assertThat(this.boards.standingOf(BOARD, "a").block().points()).isEqualTo(15);
	}

	@Test
	void concurrentDeliveriesOfOneChangeApplyItOnce() {
		PointsChange change = new PointsChange("tx-7", "a", 3, MORNING);

		List<Boolean> outcomes = Flux.range(0, 50)
			.flatMap((delivery) -> this.boards.applyChange(BOARD, change).subscribeOn(Schedulers.parallel()))
			.collectList()
			.block();

		// One winner among fifty deliveries.
		assertThat(outcomes).containsOnlyOnce(true).hasSize(50);
		assertThat(this.boards.standingOf(BOARD, "a").block().points()).isEqualTo(3);
	}

	@Test
	void oneChangeCountsOnEachBoardItIsAppliedTo() {
		PointsChange change = new PointsChange("tx-1", "a", 4, MORNING);
		BoardKey year = BoardKey.of("village:101", "2026", "conduct");

		assertThat(this.boards.applyChange(BOARD, change).block()).isTrue();
		assertThat(this.boards.applyChange(year, change).block()).isTrue();

		assertThat(this.boards.standingOf(year, "a").block().points()).isEqualTo(4);
	}

	@Test
	void refusesAChangeOlderThanTheWindowItRemembers() {
		var forgetful = new Leaderboards(this.connection.reactive(), Duration.ofHours(1));
		forgetful.applyChange(BOARD, new PointsChange("tx-1", "a", 1, MORNING)).block();
		forgetful.applyChange(BOARD, new PointsChange("tx-2", "a", 1, MORNING.plusSeconds(7200))).block();

		// tx-1 has been forgotten: a redelivery cannot be told from a new change.
		StepVerifier.create(forgetful.applyChange(BOARD, new PointsChange("tx-1", "a", 1, MORNING)))
			.expectError(ChangeTooOldException.class)
			.verify();
		assertThat(forgetful.standingOf(BOARD, "a").block().points()).isEqualTo(2);
		assertThat(this.connection.sync().zrange(BOARD.appliedChangesKey(), 0, -1)).containsExactly("tx-2");

		// Within the window, late changes are still welcome.
		assertThat(forgetful.applyChange(BOARD, new PointsChange("tx-3", "a", 1, MORNING.plusSeconds(3600))).block())
			.isTrue();
	}

	@Test
	void changesMarkedAppliedAreNotCountedWhenDeliveredHoweverOld() {
		var forgetful = new Leaderboards(this.connection.reactive(), Duration.ofHours(1));
		forgetful.applyChange(BOARD, new PointsChange("tx-new", "a", 1, MORNING.plusSeconds(86_400))).block();
		// A rebuild counted two changes from a day before whose deliveries are on the
		// way.
		forgetful.rebuild(BOARD, Flux.just(new BoardEntry("a", 7, MORNING.plusSeconds(86_400)))).block();
		assertThat(forgetful.markApplied(BOARD, List.of("tx-old-1", "tx-old-2"), MORNING).block()).isEqualTo(2);

		assertThat(forgetful.applyChange(BOARD, new PointsChange("tx-old-1", "a", 3, MORNING)).block()).isFalse();
		// A newer change does not make the board forget the marks.
		forgetful.applyChange(BOARD, new PointsChange("tx-newer", "a", 1, MORNING.plusSeconds(86_460))).block();
		assertThat(forgetful.applyChange(BOARD, new PointsChange("tx-old-2", "a", 3, MORNING)).block()).isFalse();
		assertThat(forgetful.standingOf(BOARD, "a").block().points()).isEqualTo(8);
		// Marking again changes nothing.
		assertThat(forgetful.markApplied(BOARD, List.of("tx-old-1"), MORNING).block()).isZero();
	}

	@Test
	void ranksNegativePointsBelowZeroAndTiesAmongThem() {
		set("zero", 0, MORNING);
		set("minus-five-early", -5, MORNING);
		set("minus-five-late", -5, MORNING.plusSeconds(1));
		set("minus-one", -1, MORNING.plusSeconds(99));
		apply("tx-1", "went-negative", -12, MORNING);
		apply("tx-2", "went-negative", 2, MORNING.plusSeconds(5));

		List<Standing> board = this.boards.top(BOARD, 10).collectList().block();

		assertThat(board).extracting(Standing::member)
			.containsExactly("zero", "minus-one", "minus-five-early", "minus-five-late", "went-negative");
		assertThat(board).extracting(Standing::points).containsExactly(0L, -1L, -5L, -5L, -10L);
		assertThat(board.get(4).achievedAt()).isEqualTo(MORNING.plusSeconds(5));
	}

	@Test
	void refusesPointsTheEncodingCannotHold() {
		StepVerifier.create(this.boards.setPoints(BOARD, "a", ScoreEncoding.MAX_POINTS + 1, MORNING))
			.expectError(ScoreOutOfRangeException.class)
			.verify();
		StepVerifier.create(this.boards.setPoints(BOARD, "a", 1, Instant.parse("1999-01-01T00:00:00Z")))
			.expectError(ScoreOutOfRangeException.class)
			.verify();

		set("a", ScoreEncoding.MAX_POINTS - 1, MORNING);
		StepVerifier.create(this.boards.applyChange(BOARD, new PointsChange("tx-1", "a", 2, MORNING)))
			.expectError(ScoreOutOfRangeException.class)
			.verify();
		// Nothing changed, and the refused change may be sent again once corrected.
		assertThat(this.boards.standingOf(BOARD, "a").block().points()).isEqualTo(ScoreEncoding.MAX_POINTS - 1);
		assertThat(this.boards.applyChange(BOARD, new PointsChange("tx-1", "a", 1, MORNING)).block()).isTrue();

		set("b", ScoreEncoding.MIN_POINTS, ScoreEncoding.LATEST);
		assertThat(this.boards.standingOf(BOARD, "b").block())
			.isEqualTo(new Standing("b", 2, ScoreEncoding.MIN_POINTS, ScoreEncoding.LATEST));
		assertThat(this.boards.standingOf(BOARD, "a").block().points()).isEqualTo(ScoreEncoding.MAX_POINTS);
	}

	@Test
	void aRebuildNeverShowsAHalfBuiltBoard() {
		Flux<BoardEntry> oldBoard = Flux.range(0, 100).map((i) -> new BoardEntry("old-" + i, i, MORNING));
		assertThat(this.boards.rebuild(BOARD, oldBoard).block()).isEqualTo(100);
		Flux<BoardEntry> newBoard = Flux.range(0, 10_000)
			.map((i) -> new BoardEntry("member-" + i, i % 500, MORNING.plusSeconds(i)));

		try (var readerConnection = this.redis.connect()) {
			var reader = new Leaderboards(readerConnection.reactive());
			AtomicBoolean rebuilt = new AtomicBoolean();
			Mono<Long> rebuild = this.boards.rebuild(BOARD, newBoard).doFinally((signal) -> rebuilt.set(true));
			Mono<List<Long>> counts = reader.count(BOARD).repeat(() -> !rebuilt.get()).collectList();

			var outcome = Mono
				.zip(rebuild.subscribeOn(Schedulers.parallel()), counts.subscribeOn(Schedulers.parallel()))
				.block();

			assertThat(outcome.getT1()).isEqualTo(10_000);
			List<Long> seen = outcome.getT2();
			assertThat(seen).as("counts read while rebuilding").hasSizeGreaterThan(10).contains(100L);
			assertThat(seen).allMatch((count) -> count == 100 || count == 10_000);
		}
		assertThat(this.boards.count(BOARD).block()).isEqualTo(10_000);
		assertThat(this.connection.sync().keys("*rebuild*")).isEmpty();
		assertThat(this.connection.sync().ttl(BOARD.redisKey())).as("no expiry left on the board").isEqualTo(-1);
	}

	@Test
	void aFlushedBoardRebuiltFromTheLedgerIsTheSame() {
		List<PointsChange> ledger = new ArrayList<>();
		for (int i = 0; i < 300; i++) {
			ledger.add(new PointsChange("tx-" + i, "household-" + (i * 7 % 40), (i % 11) - 3, MORNING.plusSeconds(i)));
		}
		Flux.fromIterable(ledger).concatMap((change) -> this.boards.applyChange(BOARD, change)).then().block();
		List<Standing> before = this.boards.top(BOARD, 1000).collectList().block();

		this.redis.flushAll();
		StepVerifier.create(this.boards.count(BOARD)).expectNext(0L).verifyComplete();
		long size = this.boards.rebuild(BOARD, Flux.fromIterable(summed(ledger))).block();

		assertThat(size).isEqualTo(40);
		assertThat(this.boards.top(BOARD, 1000).collectList().block()).isEqualTo(before);
	}

	@Test
	void anEmptyRebuildDeletesTheBoard() {
		set("a", 1, MORNING);

		assertThat(this.boards.rebuild(BOARD, Flux.empty()).block()).isZero();

		assertThat(this.connection.sync().exists(BOARD.redisKey())).isZero();
	}

	@Test
	void aFailedRebuildLeavesTheBoardAsItWas() {
		set("a", 1, MORNING);
		Flux<BoardEntry> failing = Flux.range(0, 2_000)
			.map((i) -> new BoardEntry("m" + i, i, MORNING))
			.concatWith(Flux.error(new IllegalStateException("the ledger went away")));

		StepVerifier.create(this.boards.rebuild(BOARD, failing)).expectErrorMessage("the ledger went away").verify();

		assertThat(members(this.boards.top(BOARD, 10))).containsExactly("a");
		assertThat(this.connection.sync().keys("*rebuild*")).isEmpty();
	}

	@Test
	void keepsWorkingAfterTheServerForgetsItsScripts() {
		apply("tx-1", "a", 1, MORNING);
		this.connection.sync().scriptFlush();

		apply("tx-2", "a", 1, MORNING);
		assertThat(this.boards.around(BOARD, "a", 1, 1).collectList().block()).hasSize(1);
		assertThat(this.boards.standingOf(BOARD, "a").block().points()).isEqualTo(2);
	}

	@Test
	void blockHoundGuardsTheseTests() {
		Mono<Void> sleepOnAParallelThread = Mono.<Void>fromRunnable(() -> {
			try {
				Thread.sleep(1);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}).subscribeOn(Schedulers.parallel());

		StepVerifier.create(sleepOnAParallelThread).expectError(BlockingOperationError.class).verify();
	}

	private void set(String member, long points, Instant achievedAt) {
		this.boards.setPoints(BOARD, member, points, achievedAt).block();
	}

	private void apply(String changeId, String member, long delta, Instant at) {
		assertThat(this.boards.applyChange(BOARD, new PointsChange(changeId, member, delta, at)).block()).isTrue();
	}

	private static List<String> members(Flux<Standing> standings) {
		return standings.map(Standing::member).collectList().block();
	}

	/** What a rebuild reads from the ledger: each member's sum and latest change time. */
	private static List<BoardEntry> summed(List<PointsChange> ledger) {
		Map<String, BoardEntry> entries = new HashMap<>();
		for (PointsChange change : ledger) {
			entries.merge(change.member(), new BoardEntry(change.member(), change.delta(), change.at()),
					(sum, next) -> new BoardEntry(sum.member(), sum.points() + next.points(),
							(next.achievedAt().isAfter(sum.achievedAt()) ? next.achievedAt() : sum.achievedAt())));
		}
		return List.copyOf(entries.values());
	}

	private static void await(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
