package org.jifen.api.ledger;

import java.util.List;
import java.util.Map;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.ledger.PointKind.Owner;
import org.jifen.api.ledger.PointKind.Reset;
import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.jifen.api.village.RegionId;
import org.jifen.api.village.Villages;
import org.springframework.stereotype.Service;

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

	PointKinds(LedgerRepository repository, Villages villages) {
		this.repository = repository;
		this.villages = villages;
	}

	/**
	 * The kinds of the county a region belongs to, created with the defaults on first
	 * use.
	 */
	public Flux<PointKind> kindsOf(RegionId region) {
		return countyOf(region).flatMapMany((county) -> ensureDefaults(county).thenMany(this.repository.kinds(county)));
	}

	public Mono<PointKind> defaultKind(RegionId region) {
		return kindsOf(region).filter(PointKind::isDefault).next();
	}

	public Mono<PointKind> kind(RegionId region, String code) {
		return kindsOf(region).filter((kind) -> kind.code().equals(code))
			.next()
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.NOT_FOUND, "point-kind-not-found",
					"There is no point kind " + code + " here.", Map.of("kind", code))));
	}

	Mono<Long> countyOf(RegionId region) {
		return this.villages.ancestry(region).map((ancestry) -> ancestry.getLast().value());
	}

	private Mono<Void> ensureDefaults(long county) {
		return Flux
			.fromIterable(
					List.of(new Object[] { HOUSEHOLD, "户积分", Owner.HOUSEHOLD, Reset.NEVER, true, true, true, true },
							new Object[] { VOLUNTEER, "爱心存折", Owner.MEMBER, Reset.NEVER, true, false, false, false },
							new Object[] { "party", "红色存折", Owner.MEMBER, Reset.YEARLY, false, false, false, false },
							new Object[] { "green", "绿色存折", Owner.HOUSEHOLD, Reset.NEVER, true, true, false, false }))
			.concatMap((kind) -> this.repository.insertKind(county, (String) kind[0], (String) kind[1], (Owner) kind[2],
					(Reset) kind[3], (Boolean) kind[4], (Boolean) kind[5], (Boolean) kind[6], (Boolean) kind[7]))
			.then();
	}

}
