package org.jifen.api.ledger;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.jifen.api.outbox.Outbox;
import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.jifen.api.village.HouseholdId;
import org.jifen.api.village.MemberId;
import org.jifen.api.village.RegionId;
import org.jifen.api.web.CursorPage;
import org.jifen.api.web.PageRequest;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The points ledger. A posting is one database transaction: the village's chain head is
 * locked, each leg moves its account under a condition (no overdraft where the kind
 * forbids it), the transaction and its entries are appended to the hash chain, and a
 * {@code points.posted} event goes to the outbox. Either all of it commits or none of it
 * does.
 */
@Service
public class Ledger {

	private final LedgerRepository repository;

	private final PointKinds kinds;

	private final JsonMapper json;

	private final Clock clock;

	private final Outbox outbox;

	Ledger(LedgerRepository repository, PointKinds kinds, JsonMapper json, Clock clock, Outbox outbox) {
		this.outbox = outbox;
		this.repository = repository;
		this.kinds = kinds;
		this.json = json;
		this.clock = clock;
	}

	@Transactional
	public Mono<Posted> post(Posting posting) {
		return post(posting, true);
	}

	/**
	 * Posts a change whose request id names a row the caller's transaction has just made
	 * (a redemption's hold): it cannot have been posted before, so no earlier posting is
	 * looked up under the chain's lock. Were it posted twice all the same, the request
	 * id's unique index refuses the second.
	 */
	@Transactional
	public Mono<Posted> postFirst(Posting posting) {
		return post(posting, false);
	}

	private Mono<Posted> post(Posting posting, boolean lookUpEarlier) {
		RegionId village = posting.village();
		return this.kinds.countyOfKind(posting.kindId())
			.zipWith(this.kinds.countyOf(village))
			.filter((counties) -> counties.getT1().longValue() == counties.getT2().longValue())
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.REFUSED, "point-kind-not-here",
					"This point kind is not one of this village's county.", Map.of("kindId", posting.kindId()))))
			.then(Mono.defer(() -> {
				LedgerRepository.Owners owners = LedgerRepository.Owners.of(posting.legs());
				return this.repository.lockChain(village, posting.kindId(), owners)
					.flatMap((head) -> ((lookUpEarlier && posting.requestId() != null)
							? this.repository.findByRequest(village, posting.requestId()) : Mono.<Posted>empty())
						.switchIfEmpty(Mono.defer(() -> (head.accountIds().contains(null)
								? this.repository.openAccounts(village, posting.kindId(), owners)
								: Mono.just(head.accountIds()))
							.flatMap((accounts) -> append(posting, head, accounts)))));
			}));
	}

	private Mono<Posted> append(Posting posting, LedgerRepository.ChainHead head, List<@Nullable Long> accounts) {
		RegionId village = posting.village();
		Instant now = this.clock.instant().truncatedTo(ChronoUnit.MICROS);
		List<JournalHash.Line> lines = new ArrayList<>();
		for (int i = 0; i < accounts.size(); i++) {
			Posting.Leg leg = posting.legs().get(i);
			lines.add(new JournalHash.Line(Objects.requireNonNull(accounts.get(i), "opened account"), leg.amount(),
					leg.scoreDelta()));
		}
		long seq = head.lastSeq() + 1;
		byte[] hash = JournalHash.of(head.lastHash(), seq, posting.type(), posting.memo(), posting.requestId(), now,
				lines, posting.category());
		return this.repository
			.append(village, seq, posting.type(), posting.memo(), posting.requestId(), now, head.lastHash(), hash,
					posting.category(), lines)
			.flatMap((appended) -> {
				Long transactionId = appended.transactionId();
				if (transactionId == null) {
					if (appended.refusedLeg() < 0) {
						return Mono.error(new IllegalStateException(
								"The journal refused a posting without naming a leg: an account vanished?"));
					}
					long required = -posting.legs().get(appended.refusedLeg()).amount();
					return Mono.error(new DomainException(Kind.REFUSED, "insufficient-points",
							"Not enough points: " + appended.refusedAvailable() + " available, " + required
									+ " needed.",
							Map.of("available", appended.refusedAvailable(), "required", required)));
				}
				return this.outbox.append("points.posted", village, event(posting, transactionId, seq, now, lines))
					.thenReturn(new Posted(transactionId, seq, JournalHash.hex(hash)));
			});
	}

	/**
	 * The {@code points.posted} event: enough for boards and notifications to act without
	 * reading the journal back (whose accounts moved, by how much, when, and why).
	 */
	private String event(Posting posting, long transactionId, long seq, Instant occurredAt,
			List<JournalHash.Line> lines) {
		Map<String, Object> event = new LinkedHashMap<>();
		event.put("transactionId", transactionId);
		event.put("villageId", posting.village().value());
		event.put("seq", seq);
		event.put("kindId", posting.kindId());
		event.put("type", posting.type());
		event.put("memo", posting.memo());
		event.put("requestId", posting.requestId());
		event.put("category", posting.category());
		event.put("occurredAt", occurredAt.toString());
		List<Map<String, Object>> legs = new ArrayList<>();
		for (int i = 0; i < lines.size(); i++) {
			JournalHash.Line line = lines.get(i);
			Map<String, Object> leg = new LinkedHashMap<>();
			leg.put("accountId", line.accountId());
			switch (posting.legs().get(i).account()) {
				case AccountRef.Household household -> leg.put("householdId", household.id().value());
				case AccountRef.Member member -> leg.put("memberId", member.id().value());
				case AccountRef.System system -> leg.put("systemRole", system.role().name());
			}
			leg.put("amount", line.amount());
			leg.put("scoreDelta", line.scoreDelta());
			legs.add(leg);
		}
		event.put("legs", legs);
		return this.json.writeValueAsString(event);
	}

	/**
	 * The yearly reset of a kind that resets: one journal transaction, at the village's
	 * new year, that brings every account's figures from before {@code yearStart} back to
	 * zero against issuance. Nothing is deleted, points earned since the new year stay,
	 * and the request id {@code reset-<kind>-<year>} makes it happen once however often
	 * it is asked.
	 */
	@Transactional
	public Mono<Posted> resetYear(RegionId village, PointKind kind, int year, Instant yearStart) {
		if (kind.reset() != PointKind.Reset.YEARLY) {
			return Mono.error(new DomainException(Kind.REFUSED, "point-kind-does-not-reset",
					"Point kind " + kind.code() + " does not reset.", Map.of("kind", kind.code())));
		}
		return this.repository.balancesBefore(village, kind.id(), yearStart).collectList().flatMap((lines) -> {
			if (lines.isEmpty()) {
				return Mono.empty();
			}
			List<Posting.Leg> legs = new ArrayList<>();
			long total = 0;
			for (LedgerRepository.ResetLine line : lines) {
				AccountRef owner = (line.householdId() != null)
						? AccountRef.household(new HouseholdId(line.householdId()))
						: new AccountRef.Member(new MemberId(line.memberId()));
				legs.add(new Posting.Leg(owner, -line.amount(), -line.score()));
				total += line.amount();
			}
			legs.add(new Posting.Leg(AccountRef.system(SystemRole.ISSUANCE), total, 0));
			return post(new Posting(village, kind.id(), "RESET", kind.name() + " " + year + " 年度清零",
					"reset-" + kind.id() + "-" + year, legs));
		});
	}

	/**
	 * A household's figures per kind, with this month's, quarter's and year's score in
	 * {@code zone}.
	 */
	public Flux<Balance> balances(HouseholdId household, ZoneId zone) {
		return inPeriods(zone,
				(month, quarter, year) -> this.repository.balances(household.value(), month, quarter, year));
	}

	/**
	 * A member's figures per member-owned kind (爱心存折, 红色存折 …), as
	 * {@link #balances(HouseholdId, ZoneId)}.
	 */
	public Flux<Balance> balances(MemberId member, ZoneId zone) {
		return inPeriods(zone,
				(month, quarter, year) -> this.repository.memberBalances(member.value(), month, quarter, year));
	}

	private Flux<Balance> inPeriods(ZoneId zone, PeriodQuery query) {
		LocalDate today = LocalDate.now(this.clock.withZone(zone));
		LocalDate quarter = today.withMonth(((today.getMonthValue() - 1) / 3) * 3 + 1).withDayOfMonth(1);
		return query.balances(today.withDayOfMonth(1).atStartOfDay(zone).toInstant(),
				quarter.atStartOfDay(zone).toInstant(), today.withDayOfYear(1).atStartOfDay(zone).toInstant());
	}

	/** Balances with the period figures counted from these starts. */
	private interface PeriodQuery {

		Flux<Balance> balances(Instant monthStart, Instant quarterStart, Instant yearStart);

	}

	/** A household's movements, newest first, cursor-paged. */
	public Mono<CursorPage<HistoryEntry>> history(HouseholdId household, PageRequest page) {
		long before = (page.afterId() == 0) ? Long.MAX_VALUE : page.afterId();
		return this.repository.history(household.value(), before, page.fetchSize())
			.collectList()
			.map((rows) -> CursorPage.of(rows, page, HistoryEntry::entryId));
	}

	/**
	 * Checks a village's journal: contiguous sequence numbers, every transaction summing
	 * to zero, every hash matching its content and its predecessor, and every stored
	 * balance equal to the sum of its entries. Reports the first break.
	 */
	public Mono<Verification> verify(RegionId village) {
		return this.repository.journal(village)
			.reduce(new ChainWalk(), ChainWalk::next)
			.zipWith(this.repository.accountCount(village))
			.flatMap((walkAndAccounts) -> {
				ChainWalk walk = walkAndAccounts.getT1();
				long accounts = walkAndAccounts.getT2();
				if (walk.broken != null) {
					return Mono.just(new Verification(false, walk.count, accounts, walk.broken));
				}
				return this.repository.firstMismatchedAccount(village)
					.map((mismatch) -> new Verification(false, walk.count, accounts,
							new Verification.Broken(null, null, mismatch.accountId(),
									"stored score " + mismatch.score() + " / available " + mismatch.available()
											+ " but entries sum to " + mismatch.entryScore() + " / "
											+ mismatch.entryAvailable())))
					.switchIfEmpty(Mono.just(new Verification(true, walk.count, accounts, null)));
			});
	}

	/**
	 * Walks the chain in order, remembering the first transaction that does not add up.
	 */
	private static final class ChainWalk {

		private long count;

		private long expectedSeq = 1;

		private byte[] expectedPrevious = JournalHash.GENESIS;

		private Verification.Broken broken;

		ChainWalk next(LedgerRepository.StoredTransaction transaction) {
			this.count++;
			if (this.broken == null) {
				String reason = check(transaction);
				if (reason != null) {
					this.broken = new Verification.Broken(transaction.seq(), transaction.id(), null, reason);
				}
			}
			this.expectedSeq = transaction.seq() + 1;
			this.expectedPrevious = transaction.hash();
			return this;
		}

		private String check(LedgerRepository.StoredTransaction transaction) {
			if (transaction.seq() != this.expectedSeq) {
				return "sequence jumps from " + (this.expectedSeq - 1) + " to " + transaction.seq();
			}
			if (!Arrays.equals(transaction.prevHash(), this.expectedPrevious)) {
				return "does not link to the previous transaction's hash";
			}
			if (transaction.lines().isEmpty()
					|| transaction.lines().stream().mapToLong(JournalHash.Line::amount).sum() != 0) {
				return "entries do not sum to zero";
			}
			byte[] expected = JournalHash.of(transaction.prevHash(), transaction.seq(), transaction.type(),
					transaction.memo(), transaction.requestId(), transaction.occurredAt(), transaction.lines(),
					transaction.category());
			if (!Arrays.equals(expected, transaction.hash())) {
				return "content does not match its hash (changed after it was written)";
			}
			return null;
		}

	}

}
