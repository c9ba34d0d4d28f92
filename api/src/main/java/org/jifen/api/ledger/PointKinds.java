package org.jifen.api.ledger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.ledger.PointKind.Owner;
import org.jifen.api.ledger.PointKind.Reset;
import org.jifen.api.audit.AuditTrail;
import org.jifen.api.shared.Actor;
import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.jifen.api.shared.ShortCache;
import org.jifen.api.village.RegionId;
import org.jifen.api.village.RegionLevel;
import org.jifen.api.village.Villages;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The point kinds of a county. Every county starts with the four kinds the national
 * notice's model cases run: household governance points (户积分, the default), member
 * volunteer points (爱心存折), party-member points (红色存折, reset yearly) and recycling points
 * (绿色存折).
 */
@Service
public class PointKinds {

	public static final String HOUSEHOLD = "household";

	public static final String VOLUNTEER = "volunteer";

	private final LedgerRepository repository;

	private final Villages villages;

	private final AuditTrail auditTrail;

	/**
	 * A county's kinds, read by every posting and claim. A change here forgets them at
	 * once; another instance's change shows within the time to live.
	 */
	private final ShortCache<Long, List<PointKind>> countyKinds = new ShortCache<>(Duration.ofSeconds(30), 10_000);

	/** The county of each kind: it never changes. */
	private final ShortCache<Long, Long> kindCounties = new ShortCache<>(Duration.ofHours(1), 100_000);

	PointKinds(LedgerRepository repository, Villages villages, AuditTrail auditTrail) {
		this.repository = repository;
		this.villages = villages;
		this.auditTrail = auditTrail;
	}

	/**
	 * The kinds of the county a region belongs to, created with the defaults on first
	 * use.
	 */
	public Flux<PointKind> kindsOf(RegionId region) {
		// The defaults are written once per county, the first time anyone asks.
		// Only kinds read back are kept: defaults just written may yet be rolled back.
		return countyOf(region)
			.flatMap((county) -> this.countyKinds
				.get(county, (key) -> this.repository.kinds(key).collectList().filter((kinds) -> !kinds.isEmpty()))
				.switchIfEmpty(
						Mono.defer(() -> ensureDefaults(county).thenMany(this.repository.kinds(county)).collectList())))
			.flatMapIterable(Function.identity());
	}

	/** The county a kind belongs to; empty when there is no such kind. */
	Mono<Long> countyOfKind(long kindId) {
		return this.kindCounties.get(kindId, (key) -> this.repository.kind(key).map(PointKind::countyId));
	}

	public Mono<PointKind> defaultKind(RegionId region) {
		return kindsOf(region).filter(PointKind::isDefault).next();
	}

	/**
	 * The kind with this code, or the county's default when no code is given; a 404
	 * problem when there is neither.
	 */
	public Mono<PointKind> kindOrDefault(RegionId region, @Nullable String code) {
		return ((code == null || code.isBlank()) ? defaultKind(region) : kind(region, code))
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.NOT_FOUND, "point-kind-not-found",
					"The county has no default point kind; name one.", Map.of("regionId", region.value()))));
	}

	public Mono<PointKind> kind(RegionId region, String code) {
		return kindsOf(region).filter((kind) -> kind.code().equals(code))
			.next()
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.NOT_FOUND, "point-kind-not-found",
					"There is no point kind " + code + " here.", Map.of("kind", code))));
	}

	/**
	 * Adds or changes a kind of a county. Who owns a kind's accounts cannot change once
	 * accounts exist, or their history would stop making sense.
	 */
	@Transactional
	public Mono<PointKind> configure(RegionId county, PointKind draft, Actor actor) {
		return this.villages.region(county)
			.filter((region) -> region.level() == RegionLevel.COUNTY)
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.NOT_FOUND, "county-not-found",
					"Point kinds are configured per county; region " + county.value() + " is not one.",
					Map.of("regionId", county.value()))))
			.thenMany(kindsOf(county))
			.filter((kind) -> kind.code().equals(draft.code()))
			.next()
			.flatMap((existing) -> (existing.owner() == draft.owner()) ? Mono.just(existing)
					: this.repository.kindInUse(existing.id())
						.flatMap((used) -> used ? Mono.error(new DomainException(Kind.CONFLICT, "point-kind-in-use",
								"Accounts of " + draft.code() + " exist; its owner cannot change.",
								Map.of("kind", draft.code()))) : Mono.just(existing)))
			.then(this.countyKinds.forgetOnCommit(county.value()))
			.then(this.repository.saveKind(county.value(), draft, true))
			.flatMap(
					(saved) -> this.auditTrail
						.record(actor, county.value(), "point-kind.configured", "point-kind:" + saved.code(), null,
								Map.of("name", saved.name(), "owner", saved.owner().name(), "reset",
										saved.reset().name(), "spendable", saved.spendable(), "transferable",
										saved.transferable(), "mayGoNegative", saved.mayGoNegative()))
						.thenReturn(saved));
	}

	Mono<Long> countyOf(RegionId region) {
		return this.villages.ancestry(region).map((ancestry) -> ancestry.getLast().value());
	}

	private Mono<Void> ensureDefaults(long county) {
		return Flux
			.just(new PointKind(0, county, HOUSEHOLD, "户积分", Owner.HOUSEHOLD, Reset.NEVER, true, true, true, true),
					new PointKind(0, county, VOLUNTEER, "爱心存折", Owner.MEMBER, Reset.NEVER, true, false, false, false),
					new PointKind(0, county, "party", "红色存折", Owner.MEMBER, Reset.YEARLY, false, false, false, false),
					new PointKind(0, county, "green", "绿色存折", Owner.HOUSEHOLD, Reset.NEVER, true, true, false, false))
			.concatMap((kind) -> this.repository.saveKind(county, kind, false))
			// A later read in the same transaction would keep them; a rollback must
			// forget them.
			.then(this.countyKinds.forgetOnCommit(county));
	}

}
