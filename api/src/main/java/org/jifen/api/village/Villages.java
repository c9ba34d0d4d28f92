package org.jifen.api.village;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.audit.AuditTrail;
import org.jifen.api.privacy.PersonalData;
import org.jifen.api.shared.Actor;
import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.jifen.api.shared.ShortCache;
import org.jifen.api.web.CursorPage;
import org.jifen.api.web.PageRequest;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The villages feature's public face: the region tree, households and members.
 */
@Service
public class Villages {

	private final VillageRepository repository;

	private final PersonalData personalData;

	private final AuditTrail auditTrail;

	/** More regions than a province has; past it the kept ancestries start over. */
	private static final int MAX_KEPT_ANCESTRIES = 200_000;

	/**
	 * How far by id a household's place read looks for its village's other households: a
	 * village's households are mostly registered together, and the read stays bounded in
	 * a county of many villages.
	 */
	private static final int PLACE_READ_REACH = 1_000;

	private final Map<RegionId, List<RegionId>> ancestries = new ConcurrentHashMap<>();

	/**
	 * Regions and households' places, read on nearly every request. A household never
	 * changes village and regions never move; only a region's name and time zone change,
	 * and another instance's edit shows here within the time to live.
	 */
	private final ShortCache<RegionId, Region> regions = new ShortCache<>(Duration.ofSeconds(30), 50_000);

	/** A member never changes household; only their name changes. */
	private final ShortCache<MemberId, MemberHome> homes = new ShortCache<>(Duration.ofSeconds(30),
			MAX_KEPT_ANCESTRIES);

	private final ShortCache<HouseholdId, HouseholdPlace> places = new ShortCache<>(Duration.ofSeconds(30),
			MAX_KEPT_ANCESTRIES);

	Villages(VillageRepository repository, PersonalData personalData, AuditTrail auditTrail) {
		this.repository = repository;
		this.personalData = personalData;
		this.auditTrail = auditTrail;
	}

	/**
	 * The region and every region above it, nearest first: what a role on any of them
	 * covers. Asked on nearly every request; regions never move, so an ancestry once read
	 * holds for good and is kept (regions not found are not).
	 */
	public Mono<List<RegionId>> ancestry(RegionId region) {
		List<RegionId> known = this.ancestries.get(region);
		if (known != null) {
			return Mono.just(known);
		}
		return this.repository.ancestry(region).collectList().doOnNext((ancestry) -> {
			if (!ancestry.isEmpty()) {
				if (this.ancestries.size() >= MAX_KEPT_ANCESTRIES) {
					this.ancestries.clear();
				}
				this.ancestries.put(region, List.copyOf(ancestry));
			}
		});
	}

	/** The region and every region below it. */
	public Mono<List<RegionId>> subtree(RegionId region) {
		return this.repository.subtree(region).collectList();
	}

	public Mono<MemberHome> memberHome(MemberId member) {
		return this.homes.get(member, this.repository::memberHome)
			.switchIfEmpty(Mono.error(() -> memberNotFound(member)));
	}

	/** The members of a village with this phone number, found by its keyed hash. */
	public Flux<Member> membersByPhone(RegionId village, String phone) {
		return village(village)
			.thenMany(this.repository.membersByPhone(village, this.personalData.lookup(phone)).map(this::opened));
	}

	public Mono<Region> region(RegionId id) {
		return this.regions.get(id, this.repository::findRegion).switchIfEmpty(Mono.error(() -> regionNotFound(id)));
	}

	/** The regions directly inside {@code parent}; the counties when it is absent. */
	public Flux<Region> children(@Nullable RegionId parent) {
		return (parent != null) ? region(parent).thenMany(this.repository.childrenOf(parent))
				: this.repository.childrenOf(null);
	}

	/** Every village, for jobs that run per village. */
	public Flux<Region> allVillages() {
		return this.repository.villages();
	}

	public Mono<Boolean> anyRegion() {
		return this.repository.anyRegion();
	}

	public Mono<Region> village(RegionId id) {
		return region(id).flatMap((region) -> (region.level() == RegionLevel.VILLAGE) ? Mono.just(region)
				: Mono.error(new DomainException(Kind.NOT_FOUND, "village-not-found",
						"Region " + id.value() + " is not a village.", Map.of("regionId", id.value()))));
	}

	public Mono<CursorPage<HouseholdSummary>> households(RegionId village, PageRequest page) {
		return village(village).then(this.repository.householdsOf(village, page.afterId(), page.fetchSize())
			.collectList()
			.map((rows) -> CursorPage.of(rows, page, (household) -> household.id().value())));
	}

	/**
	 * Which of the given households live in a village, in one query (for batches that
	 * name many households at once).
	 */
	public Mono<Set<Long>> householdsIn(RegionId village, Collection<Long> householdIds) {
		return this.repository.householdsIn(village, householdIds.stream().distinct().toList())
			.collect(Collectors.toSet());
	}

	/** Where a household lives, without its members (see {@link HouseholdPlace}). */
	public Mono<HouseholdPlace> place(HouseholdId id) {
		return this.places.getAround(id, this::placesAround).switchIfEmpty(Mono.error(() -> householdNotFound(id)));
	}

	/**
	 * The place of a household and of its village's households near it by id: villagers
	 * of one village tend to look at their points together (a notice goes up, a board
	 * changes), so one read answers for their next reads too.
	 */
	private Mono<Map<HouseholdId, HouseholdPlace>> placesAround(HouseholdId id) {
		return this.repository.placeAround(id, PLACE_READ_REACH)
			.collectList()
			.filter((regions) -> !regions.isEmpty())
			.map((regions) -> {
				VillageRepository.RegionRow village = regions.getFirst();
				ZoneId timeZone = ZoneId.of(village.timeZone());
				List<RegionId> ancestry = regions.stream().map(VillageRepository.RegionRow::id).toList();
				Map<HouseholdId, HouseholdPlace> places = new HashMap<>();
				for (Long household : village.households()) {
					HouseholdId neighbour = new HouseholdId(household);
					places.put(neighbour, new HouseholdPlace(neighbour, village.id(), timeZone, ancestry));
				}
				return places;
			});
	}

	/**
	 * The members of these households, in one read, by household, without the households'
	 * own rows: none for a household that does not exist.
	 */
	public Flux<Member> members(Collection<HouseholdId> households) {
		return households.isEmpty() ? Flux.empty()
				: this.repository.membersOf(households.stream().map(HouseholdId::value).distinct().toList())
					.map(this::opened);
	}

	/**
	 * The summaries of the given households, in one query (for lists such as boards);
	 * households that do not exist are left out.
	 */
	public Mono<Map<HouseholdId, HouseholdSummary>> summaries(Collection<HouseholdId> ids) {
		if (ids.isEmpty()) {
			return Mono.just(Map.of());
		}
		return this.repository.householdsByIds(ids.stream().map(HouseholdId::value).distinct().toList())
			.collectMap(HouseholdSummary::id);
	}

	public Mono<Household> household(HouseholdId id) {
		return this.repository.findHousehold(id)
			.switchIfEmpty(Mono.error(() -> householdNotFound(id)))
			.zipWith(this.repository.membersOf(id).map(this::opened).collectList(),
					(household, members) -> new Household(household.id(), household.villageId(), household.groupId(),
							household.number(), household.headName(), household.address(), members));
	}

	/** Adds a region one level below its parent (a county has no parent). */
	@Transactional
	public Mono<Region> createRegion(@Nullable RegionId parent, RegionLevel level, String code, String name) {
		Mono<Void> parentFits = (parent == null)
				? ((level == RegionLevel.COUNTY) ? Mono.empty() : Mono.error(misplaced(level)))
				: region(parent)
					.flatMap((region) -> (region.level() != RegionLevel.GROUP && region.level().child() == level)
							? Mono.<Void>empty() : Mono.error(misplaced(level)));
		return parentFits.then(this.repository.insertRegion(parent, level, code, name))
			.onErrorMap(DuplicateKeyException.class, (ex) -> new DomainException(Kind.CONFLICT, "region-code-taken",
					"Region code " + code + " is already in use.", Map.of("code", code)));
	}

	/**
	 * Registers one household with its members, an admin change kept in the audit trail.
	 */
	@Transactional
	public Mono<Household> registerHousehold(RegionId village, NewHousehold household, Actor actor) {
		return insert(village, household).flatMap(this::household)
			.flatMap((registered) -> this.auditTrail
				.record(actor, village.value(), "household.registered", "household:" + registered.id().value(), null,
						Map.of("number", registered.number(), "members", registered.members().size()))
				.thenReturn(registered));
	}

	/**
	 * Onboards a village's household register from CSV in one transaction: every line
	 * valid and no number already taken, or nothing is written and every problem is
	 * reported with its line.
	 */
	@Transactional
	public Mono<Long> importHouseholds(RegionId village, String csv, Actor actor) {
		HouseholdCsv.Parsed parsed = HouseholdCsv.parse(csv);
		if (!parsed.problems().isEmpty()) {
			return Mono.error(importRejected(parsed.problems()));
		}
		List<String> numbers = parsed.households().stream().map(NewHousehold::number).toList();
		return village(village).thenMany(this.repository.existingNumbers(village, numbers))
			.collectList()
			.flatMap((taken) -> taken.isEmpty() ? registerHouseholds(village, parsed.households())
					: Mono.error(importRejected(taken.stream()
						.map((number) -> new HouseholdCsv.BadRow(lineOf(csv, number),
								"household " + number + " is already registered in this village"))
						.toList())))
			.flatMap((count) -> this.auditTrail
				.record(actor, village.value(), "households.imported", "village:" + village.value(), null,
						Map.of("households", count))
				.thenReturn(count));
	}

	private static int lineOf(String csv, String number) {
		String[] lines = csv.split("\\R", -1);
		for (int i = 0; i < lines.length; i++) {
			if (lines[i].strip().startsWith(number + ",") || lines[i].strip().startsWith("\"" + number + "\",")) {
				return i + 1;
			}
		}
		return 0;
	}

	private static DomainException importRejected(List<HouseholdCsv.BadRow> problems) {
		return new DomainException(Kind.REFUSED, "import-rejected",
				problems.size() + " lines of the file cannot be imported; nothing was written.", Map.of("rows",
						problems.stream().map((row) -> Map.of("line", row.line(), "reason", row.reason())).toList()));
	}

	/**
	 * Adds a region below one the admin covers; an admin change kept in the audit trail.
	 */
	@Transactional
	public Mono<Region> addRegion(RegionId parent, RegionLevel level, String code, String name, Actor actor) {
		return createRegion(parent, level, code, name).flatMap(
				(region) -> this.auditTrail
					.record(actor, region.id().value(), "region.added", "region:" + region.id().value(), null,
							Map.of("level", level.name(), "code", code, "name", name))
					.thenReturn(region));
	}

	/**
	 * Renames a region or moves its time zone; an admin change kept in the audit trail.
	 */
	@Transactional
	public Mono<Region> editRegion(RegionId id, @Nullable String name, @Nullable String timeZone, Actor actor) {
		return this.repository.findRegion(id)
			.switchIfEmpty(Mono.error(() -> regionNotFound(id)))
			.flatMap((before) -> this.repository.updateRegion(id, name, timeZone)
				// The time zone is part of every household's place below.
				.flatMap((after) -> this.regions.forgetOnCommit(id)
					.then(this.places.forgetAllOnCommit())
					.thenReturn(after))
				.flatMap((after) -> this.auditTrail
					.record(actor, id.value(), "region.edited", "region:" + id.value(),
							Map.of("name", before.name(), "timeZone", before.timeZone()),
							Map.of("name", after.name(), "timeZone", after.timeZone()))
					.thenReturn(after)));
	}

	/**
	 * Edits a household's head, address or group; an admin change kept in the audit
	 * trail.
	 */
	@Transactional
	public Mono<Household> editHousehold(HouseholdId id, @Nullable String headName, @Nullable String address,
			@Nullable RegionId group, Actor actor) {
		return household(id).flatMap((before) -> groupOf(before.villageId(), group)
			.then(this.repository.updateHousehold(id, headName, address, group))
			.then(household(id))
			.flatMap((after) -> this.auditTrail
				.record(actor, before.villageId().value(), "household.edited", "household:" + id.value(),
						snapshot(before), snapshot(after))
				.thenReturn(after)));
	}

	/** Adds a member to a household; an admin change kept in the audit trail. */
	@Transactional
	public Mono<Household> addMember(HouseholdId id, NewHousehold.NewMember member, Actor actor) {
		return household(id).flatMap((household) -> this.repository
			.insertMember(id, member, this.personalData.seal(member.phone()), this.personalData.seal(member.idNumber()))
			.then(household(id))
			.flatMap((after) -> this.auditTrail
				.record(actor, household.villageId().value(), "member.added", "household:" + id.value(), null,
						Map.of("name", member.name(), "relation", member.relation()))
				.thenReturn(after)));
	}

	/**
	 * Edits a member; phone and ID numbers are re-sealed; an admin change kept in the
	 * audit trail.
	 */
	@Transactional
	public Mono<Household> editMember(MemberId id, NewHousehold.NewMember change, Actor actor) {
		return this.repository.memberHome(id)
			.switchIfEmpty(Mono.error(() -> memberNotFound(id)))
			.flatMap((home) -> this.homes.forgetOnCommit(id).thenReturn(home))
			.flatMap((home) -> this.repository
				.updateMember(id, change.name(), change.relation(), change.birthYear(),
						this.personalData.seal(change.phone()), this.personalData.seal(change.idNumber()))
				.then(household(home.householdId()))
				.flatMap((after) -> this.auditTrail
					.record(actor, home.villageId().value(), "member.edited", "member:" + id.value(),
							Map.of("name", home.name()),
							Map.of("name", (change.name() != null) ? change.name() : home.name(), "phoneChanged",
									change.phone() != null, "idNumberChanged", change.idNumber() != null))
					.thenReturn(after)));
	}

	/** What the audit trail keeps of a household: never its members' personal data. */
	private static Map<String, Object> snapshot(Household household) {
		Map<String, Object> snapshot = new java.util.LinkedHashMap<>();
		snapshot.put("headName", household.headName());
		snapshot.put("address", (household.address() != null) ? household.address() : "");
		snapshot.put("groupId", (household.groupId() != null) ? household.groupId().value() : 0);
		return snapshot;
	}

	/** Registers many households of one village at once; all or nothing. */
	@Transactional
	public Mono<Long> registerHouseholds(RegionId village, List<NewHousehold> households) {
		return Flux.fromIterable(households).concatMap((household) -> insert(village, household)).count();
	}

	private Mono<HouseholdId> insert(RegionId village, NewHousehold household) {
		return village(village).then(groupOf(village, household.groupId()))
			.then(this.repository.insertHousehold(village, household))
			.flatMap((id) -> Flux.fromIterable(household.members())
				.concatMap((member) -> this.repository.insertMember(id, member, this.personalData.seal(member.phone()),
						this.personalData.seal(member.idNumber())))
				.then(Mono.just(id)))
			.onErrorMap(DuplicateKeyException.class,
					(ex) -> new DomainException(Kind.CONFLICT, "household-number-taken",
							"Household number " + household.number() + " is already used in this village.",
							Map.of("number", household.number())));
	}

	private Mono<Void> groupOf(RegionId village, @Nullable RegionId group) {
		if (group == null) {
			return Mono.empty();
		}
		return this.repository.findRegion(group)
			.filter((region) -> region.level() == RegionLevel.GROUP && village.equals(region.parentId()))
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.REFUSED, "group-not-in-village",
					"Group " + group.value() + " is not a group of this village.", Map.of("groupId", group.value()))))
			.then();
	}

	private Member opened(VillageRepository.MemberRow row) {
		return new Member(row.id(), row.householdId(), row.name(), row.relation(), row.birthYear(),
				this.personalData.open(row.phoneCipher()), this.personalData.open(row.idNumberCipher()));
	}

	private static DomainException memberNotFound(MemberId id) {
		return new DomainException(Kind.NOT_FOUND, "member-not-found", "There is no member " + id.value() + ".",
				Map.of("memberId", id.value()));
	}

	private static DomainException regionNotFound(RegionId id) {
		return new DomainException(Kind.NOT_FOUND, "region-not-found", "There is no region " + id.value() + ".",
				Map.of("regionId", id.value()));
	}

	private static DomainException misplaced(RegionLevel level) {
		return new DomainException(Kind.REFUSED, "region-misplaced",
				"A " + level.name().toLowerCase() + " must sit directly inside a region one level up.",
				Map.of("level", level.name()));
	}

	private static DomainException householdNotFound(HouseholdId id) {
		return new DomainException(Kind.NOT_FOUND, "household-not-found", "There is no household " + id.value() + ".",
				Map.of("householdId", id.value()));
	}

}
