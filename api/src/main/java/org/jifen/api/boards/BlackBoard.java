package org.jifen.api.boards;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.jifen.api.audit.AuditTrail;
import org.jifen.api.catalog.Catalog;
import org.jifen.api.claims.Claims;
import org.jifen.api.identity.Access;
import org.jifen.api.identity.Caller;
import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.jifen.api.shared.Masking;
import org.jifen.api.village.HouseholdId;
import org.jifen.api.village.RegionId;
import org.jifen.api.village.Villages;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The black board (黑榜): effective deductions of the period, with masked names, shown only
 * where the village has turned it on; a household that puts things right leaves it.
 */
@Service
public class BlackBoard {

	private final BoardsRepository repository;

	private final Claims claims;

	private final Catalog catalog;

	private final Villages villages;

	private final Access access;

	private final AuditTrail auditTrail;

	private final Clock clock;

	BlackBoard(BoardsRepository repository, Claims claims, Catalog catalog, Villages villages, Access access,
			AuditTrail auditTrail, Clock clock) {
		this.repository = repository;
		this.claims = claims;
		this.catalog = catalog;
		this.villages = villages;
		this.access = access;
		this.auditTrail = auditTrail;
		this.clock = clock;
	}

	public Mono<View> read(RegionId villageId, BoardPeriod period) {
		return this.villages.village(villageId)
			.flatMap((village) -> this.access.requireRead(villageId)
				.flatMap((caller) -> this.repository.blackBoardOn(villageId.value())
					.flatMap((on) -> on ? Mono.just(caller)
							: Mono.error(new DomainException(Kind.NOT_FOUND, "black-board-off",
									"This village does not publish a black board.",
									Map.of("villageId", villageId.value())))))
				.flatMap((caller) -> {
					Instant now = this.clock.instant();
					ZoneId zone = ZoneId.of(village.timeZone());
					Instant since = period.startOf(now, zone);
					return this.access.oversees(caller, villageId)
						.flatMap((fullNames) -> this.claims.blackMarks(villageId, since)
							.concatMap((claim) -> this.villages.household(new HouseholdId(claim.householdId()))
								.zipWith(this.catalog.item(claim.itemId()))
								.map((found) -> new Line(claim.id(), found.getT1().number(),
										fullNames ? found.getT1().headName() : Masking.name(found.getT1().headName()),
										found.getT2().name(), -claim.points(), claim.createdAt())))
							.collectList())
						.map((lines) -> new View(villageId.value(), period.label(), period.keyOf(now, zone), lines));
				}));
	}

	@Transactional
	public Mono<Boolean> turn(Caller caller, RegionId villageId, boolean on) {
		return this.access.requireAdmin(caller, villageId)
			.then(this.villages.village(villageId))
			.then(this.repository.blackBoardOn(villageId.value()))
			.flatMap((before) -> this.repository.setBlackBoard(villageId.value(), on)
				.then(this.auditTrail.record(caller.actor(), villageId.value(), "black-board.turned",
						"village:" + villageId.value(), Map.of("on", before), Map.of("on", on))))
			.thenReturn(on);
	}

	/** The black board of one period. */
	public record View(long villageId, String period, String periodKey, List<Line> lines) {
	}

	/**
	 * One deduction on it: the household (masked unless the reader oversees the village).
	 */
	public record Line(long claimId, String householdNumber, String headName, String item, long points,
			Instant recordedAt) {
	}

}
