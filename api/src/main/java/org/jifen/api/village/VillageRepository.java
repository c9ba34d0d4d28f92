package org.jifen.api.village;

import java.util.List;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for regions, households and members. Package-private: other features go through
 * {@link Villages}.
 */
@Repository
class VillageRepository {

	private static final String REGION_COLUMNS = "id, parent_id, level, code, name, time_zone";

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
		spec = (parent != null) ? spec.bind("parent", parent.value()) : spec.bindNull("parent", Long.class);
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

	Mono<Boolean> anyRegion() {
		return this.database.sql("select exists (select 1 from region) as found")
			.map((row) -> row.get("found", Boolean.class))
			.one();
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
			.map((row) -> new HouseholdSummary(new HouseholdId(row.get("id", Long.class)), regionId(row, "group_id"),
					row.get("number", String.class), row.get("head_name", String.class),
					row.get("member_count", Long.class).intValue()))
			.all();
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

	Flux<Member> membersOf(HouseholdId household) {
		return this.database.sql(
				"select id, household_id, name, relation, birth_year from member where household_id = :household order by id")
			.bind("household", household.value())
			.map((row) -> new Member(new MemberId(row.get("id", Long.class)),
					new HouseholdId(row.get("household_id", Long.class)), row.get("name", String.class),
					row.get("relation", String.class), row.get("birth_year", Integer.class)))
			.all();
	}

	Mono<HouseholdId> insertHousehold(RegionId village, NewHousehold household) {
		var spec = this.database.sql("""
				insert into household (village_id, group_id, number, head_name, address)
				values (:village, :group, :number, :head, :address) returning id""")
			.bind("village", village.value())
			.bind("number", household.number())
			.bind("head", household.headName());
		spec = (household.groupId() != null) ? spec.bind("group", household.groupId().value())
				: spec.bindNull("group", Long.class);
		spec = (household.address() != null) ? spec.bind("address", household.address())
				: spec.bindNull("address", String.class);
		return spec.map((row) -> new HouseholdId(row.get("id", Long.class))).one();
	}

	/** Inserts all members of a household in one statement. */
	Mono<Void> insertMembers(HouseholdId household, List<NewHousehold.NewMember> members) {
		if (members.isEmpty()) {
			return Mono.empty();
		}
		return this.database.sql("""
				insert into member (household_id, name, relation, birth_year)
				select :household, name, relation, birth_year
				from unnest(:names::text[], :relations::text[], :years::int[]) as m(name, relation, birth_year)""")
			.bind("household", household.value())
			.bind("names", members.stream().map(NewHousehold.NewMember::name).toArray(String[]::new))
			.bind("relations", members.stream().map(NewHousehold.NewMember::relation).toArray(String[]::new))
			.bind("years", members.stream().map(NewHousehold.NewMember::birthYear).toArray(Integer[]::new))
			.then();
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
