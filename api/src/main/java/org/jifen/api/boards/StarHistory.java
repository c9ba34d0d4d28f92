package org.jifen.api.boards;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.boards.BoardsRepository.FrozenStar;
import org.jifen.api.boards.BoardsRepository.SnapshotRow;
import org.jifen.api.identity.Access;
import org.jifen.api.ledger.PointKind;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.jifen.api.village.RegionId;
import org.jifen.api.village.Villages;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

/**
 * Stars frozen at the close of each period: when a village's star period ends, every
 * household's points, rank and stars in it are written to PostgreSQL from the ledger,
 * once (a rerun adds nothing), so the record stands after the live board moves on. Runs
 * hourly in every instance; the inserts make it safe to.
 */
@Service
public class StarHistory {

	private static final Logger log = LoggerFactory.getLogger(StarHistory.class);

	private static final Pattern PERIOD_KEY = Pattern.compile("\\d{4}(-\\d{2}|-Q[1-4])?");

	private final BoardsRepository repository;

	private final Villages villages;

	private final PointKinds kinds;

	private final Access access;

	private final Clock clock;

	StarHistory(BoardsRepository repository, Villages villages, PointKinds kinds, Access access, Clock clock) {
		this.repository = repository;
		this.villages = villages;
		this.kinds = kinds;
		this.access = access;
		this.clock = clock;
	}

	@Scheduled(fixedDelayString = "${jifen.boards.freeze-interval:PT1H}", initialDelayString = "PT1M")
	Mono<Void> freezeOnSchedule() {
		return freezeEnded(this.clock.instant()).doOnNext((frozen) -> {
			if (frozen > 0) {
				log.info("Froze the stars of {} villages' ended periods", frozen);
			}
		}).then();
	}

	/**
	 * Freezes, for every village rule, the period that ended before {@code now}; emits
	 * how many rules had a period to freeze.
	 */
	Mono<Long> freezeEnded(Instant now) {
		return this.repository.starRules()
			.concatMap((rule) -> this.repository.starRule(rule.villageId(), rule.kindId())
				.filter((starRule) -> starRule.period() != BoardPeriod.ALL)
				.zipWith(this.villages.village(new RegionId(rule.villageId())))
				.flatMap((ruleAndVillage) -> {
					StarRule starRule = ruleAndVillage.getT1();
					BoardPeriod period = starRule.period();
					ZoneId zone = ZoneId.of(ruleAndVillage.getT2().timeZone());
					String ended = period.keyOf(period.startOf(now, zone).minusSeconds(1), zone);
					return freeze(rule.villageId(), rule.kindId(), period, ended, starRule, now).thenReturn(1L);
				}))
			.count();
	}

	private Mono<Void> freeze(long villageId, long kindId, BoardPeriod period, String periodKey, StarRule rule,
			Instant now) {
		return this.repository.snapshot(List.of(villageId), kindId, period, periodKey, null)
			.filter((row) -> row.transactionId() == null)
			.collectList()
			.flatMapMany((rows) -> {
				List<SnapshotRow> ranked = new ArrayList<>(rows);
				// Ties: who reached the score first ranks first, as on the live board.
				ranked.sort(Comparator.comparingLong(SnapshotRow::points)
					.reversed()
					.thenComparing(SnapshotRow::reachedAt)
					.thenComparingLong(SnapshotRow::ownerId));
				return Flux.range(0, ranked.size()).concatMap((i) -> {
					SnapshotRow row = ranked.get(i);
					return this.repository.freeze(villageId, kindId, periodKey, row.ownerId(), row.points(), i + 1,
							rule.starsOf(row.points(), i + 1, ranked.size()), now);
				});
			})
			.then();
	}

	/** The stars frozen for a village's past period (e.g. {@code 2026-10}). */
	public Mono<List<FrozenStar>> frozen(RegionId villageId, @Nullable String kindCode, @Nullable String periodKey) {
		return this.access.requireRead(villageId)
			.then((periodKey != null && PERIOD_KEY.matcher(periodKey).matches()) ? Mono.<Void>empty()
					: Mono.error(new DomainException(Kind.MALFORMED, "period-key-malformed",
							"Name the period as 2026-10, 2026-Q4 or 2026.")))
			.then(this.kinds.kindOrDefault(villageId, kindCode))
			.map(PointKind::id)
			.flatMap((kindId) -> this.repository.frozen(villageId.value(), kindId, periodKey).collectList());
	}

}
