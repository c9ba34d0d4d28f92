package org.jifen.api.catalog;

import java.time.LocalDate;
import java.util.List;

import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.shared.Sql;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

@Repository
class CatalogRepository {

	private static final String COLUMNS = "id, village_id, code, version, current, name, category, points, cap_points, "
			+ "cap_period, evidence_required, active_from, active_until";

	private final DatabaseClient database;

	CatalogRepository(DatabaseClient database) {
		this.database = database;
	}

	Flux<CatalogItem> current(long villageId) {
		return this.database
			.sql("select " + COLUMNS
					+ " from catalog_item where village_id = :village and current order by category, code")
			.bind("village", villageId)
			.map(CatalogRepository::item)
			.all();
	}

	Flux<CatalogItem> history(long villageId) {
		return this.database
			.sql("select " + COLUMNS + " from catalog_item where village_id = :village order by code, version")
			.bind("village", villageId)
			.map(CatalogRepository::item)
			.all();
	}

	Mono<Boolean> categoryUsed(List<Long> villageIds, String category) {
		return this.database.sql("""
				select exists (select 1 from catalog_item where village_id = any(:villages) and category = :category)
				as used""")
			.bind("villages", villageIds.toArray(Long[]::new))
			.bind("category", category)
			.map((row) -> row.get("used", Boolean.class))
			.one();
	}

	Mono<CatalogItem> find(long itemId) {
		return this.database.sql("select " + COLUMNS + " from catalog_item where id = :id")
			.bind("id", itemId)
			.map(CatalogRepository::item)
			.one();
	}

	/**
	 * Retires the current version of a code; the number of the version retired, if any.
	 */
	Mono<Integer> retireCurrent(long villageId, String code) {
		return this.database.sql("""
				update catalog_item set current = false
				where village_id = :village and code = :code and current returning version""")
			.bind("village", villageId)
			.bind("code", code)
			.map((row) -> row.get("version", Integer.class))
			.one();
	}

	Mono<CatalogItem> insert(long villageId, CatalogItemDraft draft, int version, long createdBy) {
		var spec = this.database.sql("""
				insert into catalog_item (village_id, code, version, current, name, category, points, cap_points,
				                          cap_period, evidence_required, active_from, active_until, created_by)
				values (:village, :code, :version, true, :name, :category, :points, :capPoints, :capPeriod,
				        :evidence, :from, :until, :createdBy)
				returning\s""" + COLUMNS)
			.bind("village", villageId)
			.bind("code", draft.code())
			.bind("version", version)
			.bind("name", draft.name())
			.bind("category", draft.category())
			.bind("points", draft.points())
			.bind("evidence", draft.evidenceRequired())
			.bind("createdBy", createdBy);
		spec = Sql.bindNullable(spec, "capPoints", draft.capPoints(), Integer.class);
		spec = Sql.bindNullable(spec, "capPeriod", (draft.capPeriod() != null) ? draft.capPeriod().name() : null,
				String.class);
		spec = Sql.bindNullable(spec, "from", draft.activeFrom(), LocalDate.class);
		spec = Sql.bindNullable(spec, "until", draft.activeUntil(), LocalDate.class);
		return spec.map(CatalogRepository::item).one();
	}

	private static CatalogItem item(Readable row) {
		String capPeriod = row.get("cap_period", String.class);
		return new CatalogItem(row.get("id", Long.class), row.get("village_id", Long.class),
				row.get("code", String.class), row.get("version", Integer.class),
				Boolean.TRUE.equals(row.get("current", Boolean.class)), row.get("name", String.class),
				row.get("category", String.class), row.get("points", Integer.class),
				row.get("cap_points", Integer.class),
				(capPeriod != null) ? CatalogItem.CapPeriod.valueOf(capPeriod) : null,
				Boolean.TRUE.equals(row.get("evidence_required", Boolean.class)),
				row.get("active_from", LocalDate.class), row.get("active_until", LocalDate.class));
	}

}
