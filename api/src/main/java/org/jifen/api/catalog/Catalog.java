package org.jifen.api.catalog;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

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
 * The scoring catalog of a village. Saving an item under an existing code makes a new
 * version and retires the old one; nothing is ever overwritten, so history stays
 * readable.
 */
@Service
public class Catalog {

	private final CatalogRepository repository;

	private final Villages villages;

	private final AuditTrail auditTrail;

	/**
	 * Every claim reads its village's current items and the version it was made from. A
	 * save here forgets them at once; another instance's save shows within the time to
	 * live. A version's content never changes, only whether it is current.
	 */
	private final ShortCache<RegionId, List<CatalogItem>> currentItems = new ShortCache<>(Duration.ofSeconds(30),
			100_000);

	private final ShortCache<Long, CatalogItem> versions = new ShortCache<>(Duration.ofSeconds(30), 200_000);

	Catalog(CatalogRepository repository, Villages villages, AuditTrail auditTrail) {
		this.repository = repository;
		this.villages = villages;
		this.auditTrail = auditTrail;
	}

	public Flux<CatalogItem> current(RegionId village) {
		return this.villages.village(village)
			.then(this.currentItems.get(village, (key) -> this.repository.current(key.value()).collectList()))
			.flatMapIterable(Function.identity());
	}

	public Flux<CatalogItem> history(RegionId village) {
		return this.villages.village(village).thenMany(this.repository.history(village.value()));
	}

	/**
	 * Whether any item of these villages, in any version, has this category: the
	 * categories that points can have been earned under.
	 */
	public Mono<Boolean> categoryUsed(List<RegionId> villages, String category) {
		return villages.isEmpty() ? Mono.just(false)
				: this.repository.categoryUsed(villages.stream().map(RegionId::value).toList(), category);
	}

	public Mono<CatalogItem> item(long itemId) {
		return this.versions.get(itemId, this.repository::find)
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.NOT_FOUND, "catalog-item-not-found",
					"There is no catalog item " + itemId + ".", Map.of("itemId", itemId))));
	}

	/** A town's template catalog, which its villages adopt and adapt. */
	public Flux<CatalogItem> template(RegionId town) {
		return town(town).thenMany(this.repository.current(town.value()));
	}

	/** Saves an item of a town's template. */
	@Transactional
	public Mono<CatalogItem> saveTemplate(RegionId town, CatalogItemDraft draft, Actor actor) {
		return town(town).then(saveVersion(town, draft, actor));
	}

	/**
	 * Copies the town's template items a village does not have yet into the village's
	 * catalog, as the village's own version 1; the village then adapts them like any
	 * other item.
	 */
	@Transactional
	public Flux<CatalogItem> adoptTemplate(RegionId village, Actor actor) {
		return this.villages.village(village)
			.flatMapMany((region) -> this.repository.current(region.parentId().value()))
			.collectList()
			.zipWith(this.repository.current(village.value()).map(CatalogItem::code).collectList())
			.flatMapMany((templateAndOwn) -> Flux.fromIterable(templateAndOwn.getT1())
				.filter((item) -> !templateAndOwn.getT2().contains(item.code()))
				.concatMap((item) -> saveVersion(village,
						new CatalogItemDraft(item.code(), item.name(), item.category(), item.points(), item.capPoints(),
								item.capPeriod(), item.evidenceRequired(), item.activeFrom(), item.activeUntil()),
						actor)));
	}

	private Mono<Void> town(RegionId town) {
		return this.villages.region(town)
			.filter((region) -> region.level() == RegionLevel.TOWN)
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.NOT_FOUND, "town-not-found",
					"Region " + town.value() + " is not a town.", Map.of("regionId", town.value()))))
			.then();
	}

	/** Saves a draft as the current version of its code: version 1, or the next one. */
	@Transactional
	public Mono<CatalogItem> save(RegionId village, CatalogItemDraft draft, Actor actor) {
		return this.villages.village(village).then(saveVersion(village, draft, actor));
	}

	private Mono<CatalogItem> saveVersion(RegionId village, CatalogItemDraft draft, Actor actor) {
		return this.currentItems.forgetOnCommit(village)
			.then(this.versions.forgetAllOnCommit())
			.then(Mono.defer(() -> this.repository.retireCurrent(village.value(), draft.code()).defaultIfEmpty(0)))
			.flatMap(
					(previous) -> this.repository.insert(village.value(), draft, previous + 1, actor.userId())
						.flatMap(
								(saved) -> this.auditTrail
									.record(actor, village.value(), "catalog-item.saved",
											"catalog-item:" + draft.code(),
											(previous > 0) ? Map.of("version", previous) : null, Map.of("version",
													saved.version(), "name", saved.name(), "points", saved.points()))
									.thenReturn(saved)));
	}

}
