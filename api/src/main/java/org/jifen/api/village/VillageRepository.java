package org.jifen.api.village;

import java.util.List;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.privacy.Sealed;
import org.jifen.api.shared.Sql;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for regions, households and members. Package-private: other features go through
 * {@link Villages}.
 */
@Repository
class VillageRepository {

	private static final String REGION_COLUMNS = "id, parent_id, level, code, name, time_zone";

	private static final String MEMBER_COLUMNS = "id, household_id, name, relation, birth_year, phone_cipher, id_number_cipher";

	private final DatabaseClient database;

	VillageRepository(DatabaseClient database) {
		this.database = database;
	}

	Mono<Region> insertRegion(@Nullable RegionId parent, RegionLevel level, String code, String name) {
		var spec = this.database
			.sql("insert into region (parent_id, level, code, name) values (:parent, :level, :code, :name) returning "
					+ REGION_COLUMNS)
			.bind("level", level.name())
			.bind("code", code)
			.bind("name", name);
		spec = Sql.bindNullable(spec, "parent", (parent != null) ? parent.value() : null, Long.class);
		return spec.map(VillageRepository::region).one();
	}

	Mono<Region> findRegion(RegionId id) {
		return this.database.sql("select " + REGION_COLUMNS + " from region where id = :id")
			.bind("id", id.value())
			.map(VillageRepository::region)
			.one();
	}

	Flux<Region> childrenOf(@Nullable RegionId parent) {
		if (parent == null) {
			return this.database.sql("select " + REGION_COLUMNS + " from region where parent_id is null order by id")
				.map(VillageRepository::region)
				.all();
		}
		return this.database.sql("select " + REGION_COLUMNS + " from region where parent_id = :parent order by id")
			.bind("parent", parent.value())
			.map(VillageRepository::region)
			.all();
	}

	Mono<Region> updateRegion(RegionId id, @Nullable String name, @Nullable String timeZone) {
		var spec = this.database
			.sql("update region set name = coalesce(:name, name), time_zone = coalesce(:zone, time_zone) "
					+ "where id = :id returning " + REGION_COLUMNS)
			.bind("id", id.value());
		spec = Sql.bindNullable(spec, "name", name, String.class);
		spec = Sql.bindNullable(spec, "zone", timeZone, String.class);
		return spec.map(VillageRepository::region).one();
	}

	Mono<Void> updateHousehold(HouseholdId id, @Nullable String headName, @Nullable String address,
			@Nullable RegionId group) {
		var spec = this.database.sql("""
				update household set head_name = coalesce(:head, head_name), address = coalesce(:address, address),
				                     group_id = coalesce(:group, group_id)
				where id = :id""").bind("id", id.value());
		spec = Sql.bindNullable(spec, "head", headName, String.class);
		spec = Sql.bindNullable(spec, "address", address, String.class);
		spec = Sql.bindNullable(spec, "group", (group != null) ? group.value() : null, Long.class);
		return spec.then();
	}

	Mono<Void> updateMember(MemberId id, @Nullable String name, @Nullable String relation, @Nullable Integer birthYear,
			@Nullable Sealed phone, @Nullable Sealed idNumber) {
		var spec = this.database
			.sql("""
					update member set name = coalesce(:name, name), relation = coalesce(:relation, relation),
					       birth_year = coalesce(:birthYear, birth_year),
					       phone_cipher = coalesce(:phoneCipher, phone_cipher), phone_lookup = coalesce(:phoneLookup, phone_lookup),
					       id_number_cipher = coalesce(:idCipher, id_number_cipher),
					       id_number_lookup = coalesce(:idLookup, id_number_lookup)
					where id = :id""")
			.bind("id", id.value());
		spec = Sql.bindNullable(spec, "name", name, String.class);
		spec = Sql.bindNullable(spec, "relation", relation, String.class);
		spec = Sql.bindNullable(spec, "birthYear", birthYear, Integer.class);
		spec = bindSealed(spec, "phoneCipher", "phoneLookup", phone);
		spec = bindSealed(spec, "idCipher", "idLookup", idNumber);
		return spec.then();
	}

	Flux<Region> villages() {
		return this.database.sql("select " + REGION_COLUMNS + " from region where level = 'VILLAGE' order by id")
			.map(VillageRepository::region)
			.all();
	}

	Mono<Boolean> anyRegion() {
		return this.database.sql("select exists (select 1 from region) as found")
			.map((row) -> row.get("found", Boolean.class))
			.one();
	}

	Flux<Long> householdsIn(RegionId village, List<Long> ids) {
		return this.database.sql("select id from household where village_id = :village and id = any(:ids)")
			.bind("village", village.value())
			.bind("ids", ids.toArray(Long[]::new))
			.map((row) -> row.get("id", Long.class))
			.all();
	}

	Flux<HouseholdSummary> householdsByIds(List<Long> ids) {
		return this.database.sql("""
				select h.id, h.group_id, h.number, h.head_name,
				       (select count(*) from member m where m.household_id = h.id) as member_count
				from household h where h.id = any(:ids)""")
			.bind("ids", ids.toArray(Long[]::new))
			.map(VillageRepository::summary)
			.all();
	}

	private static HouseholdSummary summary(Readable row) {
		return new HouseholdSummary(new HouseholdId(row.get("id", Long.class)), regionId(row, "group_id"),
				row.get("number", String.class), row.get("head_name", String.class),
				row.get("member_count", Long.class).intValue());
	}

	Flux<HouseholdSummary> householdsOf(RegionId village, long afterId, int fetchSize) {
		return this.database.sql("""
				select h.id, h.group_id, h.number, h.head_name,
				       (select count(*) from member m where m.household_id = h.id) as member_count
				from household h
				where h.village_id = :village and h.id > :after
				order by h.id
				limit :size""")
			.bind("village", village.value())
			.bind("after", afterId)
			.bind("size", fetchSize)
			.map(VillageRepository::summary)
			.all();
	}

	/**
	 * The regions from the household's village up to its county, village first, with
	 * their time zones; the village's row also lists the households of the village whose
	 * ids lie within {@code reach} of this one (the household itself among them), which
	 * share the place.
	 */
	Flux<RegionRow> placeAround(HouseholdId id, int reach) {
		return this.database.sql("""
				with recursive up(id, parent_id, time_zone, depth) as (
				    select r.id, r.parent_id, r.time_zone, 0 from household h join region r on r.id = h.village_id
				    where h.id = :household
				    union all
				    select r.id, r.parent_id, r.time_zone, up.depth + 1 from region r join up on r.id = up.parent_id)
				select up.id, up.time_zone,
				       case when up.depth = 0 then
				           (select array_agg(n.id) from household n
				            where n.id between :low and :high and n.village_id = up.id) end as households
				from up order by up.depth""")
			.bind("household", id.value())
			.bind("low", id.value() - reach)
			.bind("high", id.value() + reach)
			.map((row) -> {
				Long[] households = row.get("households", Long[].class);
				return new RegionRow(new RegionId(row.get("id", Long.class)), row.get("time_zone", String.class),
						(households != null) ? List.of(households) : List.of());
			})
			.all();
	}

	/**
	 * A region of a household's place; the village's row names the households read with
	 * it.
	 */
	record RegionRow(RegionId id, String timeZone, List<Long> households) {
	}

	Mono<Household> findHousehold(HouseholdId id) {
		return this.database
			.sql("select id, village_id, group_id, number, head_name, address from household where id = :id")
			.bind("id", id.value())
			.map((row) -> new Household(new HouseholdId(row.get("id", Long.class)),
					new RegionId(row.get("village_id", Long.class)), regionId(row, "group_id"),
					row.get("number", String.class), row.get("head_name", String.class),
					row.get("address", String.class), List.of()))
			.one();
	}

	Flux<MemberRow> membersOf(HouseholdId household) {
		return this.database
			.sql("select " + MEMBER_COLUMNS + " from member where household_id = :household order by id")
			.bind("household", household.value())
			.map(VillageRepository::member)
			.all();
	}

	Flux<MemberRow> membersOf(List<Long> households) {
		return this.database
			.sql("select " + MEMBER_COLUMNS
					+ " from member where household_id = any(:households) order by household_id, id")
			.bind("households", households.toArray(Long[]::new))
			.map(VillageRepository::member)
			.all();
	}

	Flux<MemberRow> membersByPhone(RegionId village, byte[] phoneLookup) {
		return this.database.sql("""
				select m.id, m.household_id, m.name, m.relation, m.birth_year, m.phone_cipher, m.id_number_cipher
				from member m join household h on h.id = m.household_id
				where h.village_id = :village and m.phone_lookup = :lookup order by m.id""")
			.bind("village", village.value())
			.bind("lookup", phoneLookup)
			.map(VillageRepository::member)
			.all();
	}

	Mono<MemberHome> memberHome(MemberId member) {
		return this.database.sql("""
				select m.id, m.household_id, h.village_id, m.name
				from member m join household h on h.id = m.household_id where m.id = :member""")
			.bind("member", member.value())
			.map((row) -> new MemberHome(new MemberId(row.get("id", Long.class)),
					new HouseholdId(row.get("household_id", Long.class)),
					new RegionId(row.get("village_id", Long.class)), row.get("name", String.class)))
			.one();
	}

	/** The region and all regions above it, nearest first. */
	Flux<RegionId> ancestry(RegionId region) {
		return this.database.sql("""
				with recursive up(id, parent_id, depth) as (
				    select id, parent_id, 0 from region where id = :region
				    union all
				    select r.id, r.parent_id, up.depth + 1 from region r join up on r.id = up.parent_id)
				select id from up order by depth""")
			.bind("region", region.value())
			.map((row) -> new RegionId(row.get("id", Long.class)))
			.all();
	}

	/** The region and all regions below it. */
	Flux<RegionId> subtree(RegionId region) {
		return this.database.sql("""
				with recursive down(id) as (
				    select id from region where id = :region
				    union all
				    select r.id from region r join down on r.parent_id = down.id)
				select id from down""")
			.bind("region", region.value())
			.map((row) -> new RegionId(row.get("id", Long.class)))
			.all();
	}

	Flux<String> existingNumbers(RegionId village, List<String> numbers) {
		return this.database.sql("select number from household where village_id = :village and number = any(:numbers)")
			.bind("village", village.value())
			.bind("numbers", numbers.toArray(String[]::new))
			.map((row) -> row.get("number", String.class))
			.all();
	}

	Mono<HouseholdId> insertHousehold(RegionId village, NewHousehold household) {
		var spec = this.database.sql("""
				insert into household (village_id, group_id, number, head_name, address)
				values (:village, :group, :number, :head, :address) returning id""")
			.bind("village", village.value())
			.bind("number", household.number())
			.bind("head", household.headName());
		spec = Sql.bindNullable(spec, "group", (household.groupId() != null) ? household.groupId().value() : null,
				Long.class);
		spec = Sql.bindNullable(spec, "address", household.address(), String.class);
		return spec.map((row) -> new HouseholdId(row.get("id", Long.class))).one();
	}

	Mono<Void> insertMember(HouseholdId household, NewHousehold.NewMember member, @Nullable Sealed phone,
			@Nullable Sealed idNumber) {
		var spec = this.database.sql("""
				insert into member (household_id, name, relation, birth_year, phone_cipher, phone_lookup,
				                    id_number_cipher, id_number_lookup)
				values (:household, :name, :relation, :birthYear, :phoneCipher, :phoneLookup, :idCipher, :idLookup)""")
			.bind("household", household.value())
			.bind("name", member.name())
			.bind("relation", member.relation());
		spec = Sql.bindNullable(spec, "birthYear", member.birthYear(), Integer.class);
		spec = bindSealed(spec, "phoneCipher", "phoneLookup", phone);
		spec = bindSealed(spec, "idCipher", "idLookup", idNumber);
		return spec.then();
	}

	private static DatabaseClient.GenericExecuteSpec bindSealed(DatabaseClient.GenericExecuteSpec spec, String cipher,
			String lookup, @Nullable Sealed sealed) {
		if (sealed == null) {
			return spec.bindNull(cipher, byte[].class).bindNull(lookup, byte[].class);
		}
		return spec.bind(cipher, sealed.cipher()).bind(lookup, sealed.lookup());
	}

	/** A member as stored: personal data still sealed. */
	record MemberRow(MemberId id, HouseholdId householdId, String name, String relation, @Nullable Integer birthYear,
			byte @Nullable [] phoneCipher, byte @Nullable [] idNumberCipher) {
	}

	private static MemberRow member(Readable row) {
		return new MemberRow(new MemberId(row.get("id", Long.class)),
				new HouseholdId(row.get("household_id", Long.class)), row.get("name", String.class),
				row.get("relation", String.class), row.get("birth_year", Integer.class),
				row.get("phone_cipher", byte[].class), row.get("id_number_cipher", byte[].class));
	}

	private static Region region(Readable row) {
		return new Region(new RegionId(row.get("id", Long.class)), regionId(row, "parent_id"),
				RegionLevel.valueOf(row.get("level", String.class)), row.get("code", String.class),
				row.get("name", String.class), row.get("time_zone", String.class));
	}

	private static @Nullable RegionId regionId(Readable row, String column) {
		Long id = row.get(column, Long.class);
		return (id != null) ? new RegionId(id) : null;
	}

}
