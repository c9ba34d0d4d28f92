package org.jifen.api.audit;

import java.time.OffsetDateTime;
import java.util.List;

import io.r2dbc.postgresql.codec.Json;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.jifen.api.shared.Actor;
import org.jifen.api.web.CursorPage;
import org.jifen.api.web.PageRequest;
import org.jifen.api.shared.Sql;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;

/**
 * Records admin changes and reads them back. {@link #record} joins the caller's
 * transaction, so a change and its audit entry commit or roll back together.
 */
@Service
public class AuditTrail {

	private final DatabaseClient database;

	private final JsonMapper json;

	AuditTrail(DatabaseClient database, JsonMapper json) {
		this.database = database;
		this.json = json;
	}

	public Mono<Void> record(Actor actor, @Nullable Long regionId, String action, String subject,
			@Nullable Object before, @Nullable Object after) {
		var spec = this.database
			.sql("""
					insert into audit_entry (actor_user_id, on_behalf_of_member_id, region_id, action, subject, before, after)
					values (:actor, :onBehalfOf, :region, :action, :subject, :before, :after)""")
			.bind("actor", actor.userId())
			.bind("action", action)
			.bind("subject", subject);
		spec = Sql.bindNullable(spec, "onBehalfOf", actor.onBehalfOfMemberId(), Long.class);
		spec = Sql.bindNullable(spec, "region", regionId, Long.class);
		spec = Sql.bindNullable(spec, "before", json(before), Json.class);
		spec = Sql.bindNullable(spec, "after", json(after), Json.class);
		return spec.then();
	}

	/**
	 * One audit entry per subject of a batch, all by one actor in one region, in one
	 * statement.
	 */
	public Mono<Void> recordAll(Actor actor, long regionId, String action, List<Change> changes) {
		if (changes.isEmpty()) {
			return Mono.empty();
		}
		var spec = this.database
			.sql("""
					insert into audit_entry (actor_user_id, on_behalf_of_member_id, region_id, action, subject, before, after)
					select :actor, :onBehalfOf, :region, :action, c.subject, c.before::jsonb, c.after::jsonb
					from unnest(:subjects::text[], :befores::text[], :afters::text[]) with ordinality as c(subject, before, after, position)
					order by c.position""")
			.bind("actor", actor.userId())
			.bind("region", regionId)
			.bind("action", action)
			.bind("subjects", changes.stream().map(Change::subject).toArray(String[]::new))
			.bind("befores", changes.stream().map((change) -> text(change.before())).toArray(String[]::new))
			.bind("afters", changes.stream().map((change) -> text(change.after())).toArray(String[]::new));
		return Sql.bindNullable(spec, "onBehalfOf", actor.onBehalfOfMemberId(), Long.class).then();
	}

	/** What one change did to its subject, for {@link #recordAll}. */
	public record Change(String subject, @Nullable Object before, @Nullable Object after) {
	}

	private @Nullable String text(@Nullable Object snapshot) {
		return (snapshot != null) ? this.json.writeValueAsString(snapshot) : null;
	}

	private @Nullable Json json(@Nullable Object snapshot) {
		return (snapshot != null) ? Json.of(this.json.writeValueAsString(snapshot)) : null;
	}

	/** The entries of the given regions, oldest first. */
	public Mono<CursorPage<AuditEntry>> entries(List<Long> regionIds, PageRequest page) {
		return this.database.sql("""
				select id, actor_user_id, on_behalf_of_member_id, region_id, action, subject,
				       before::text as before, after::text as after, at
				from audit_entry
				where region_id = any(:regions) and id > :after
				order by id
				limit :size""")
			.bind("regions", regionIds.toArray(Long[]::new))
			.bind("after", page.afterId())
			.bind("size", page.fetchSize())
			.map((row) -> new AuditEntry(row.get("id", Long.class), row.get("actor_user_id", Long.class),
					row.get("on_behalf_of_member_id", Long.class), row.get("region_id", Long.class),
					row.get("action", String.class), row.get("subject", String.class), row.get("before", String.class),
					row.get("after", String.class), row.get("at", OffsetDateTime.class).toInstant()))
			.all()
			.collectList()
			.map((rows) -> CursorPage.of(rows, page, AuditEntry::id));
	}

}
