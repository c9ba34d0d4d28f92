package org.jifen.api.outbox;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.jifen.api.shared.Sql;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

@Repository
class OutboxRepository {

	/** Serialises claiming (not handling) across instances, so claims see each other. */
	private static final long CLAIM_LOCK = 0x6A6966656E01L;

	private static final String COLUMNS = "id, type, village_id, payload, created_at, attempts";

	private final DatabaseClient database;

	private final JsonMapper json;

	OutboxRepository(DatabaseClient database, JsonMapper json) {
		this.database = database;
		this.json = json;
	}

	Mono<Long> append(String type, @Nullable Long villageId, String payload) {
		var insert = this.database.sql("""
				insert into outbox_event (type, village_id, ordering_key, payload)
				values (:type, :village, :key, :payload) returning id""")
			.bind("type", type)
			.bind("key", (villageId != null) ? villageId : 0L)
			.bind("payload", Json.of(payload));
		insert = Sql.bindNullable(insert, "village", villageId, Long.class);
		return insert.map((row) -> row.get("id", Long.class)).one();
	}

	Mono<Void> appendAll(long villageId, List<String> types, List<String> payloads) {
		return this.database.sql("""
				insert into outbox_event (type, village_id, ordering_key, payload)
				select e.type, :village, :village, e.payload::jsonb
				from unnest(:types::text[], :payloads::text[]) with ordinality as e(type, payload, position)
				order by e.position""")
			.bind("village", villageId)
			.bind("types", types.toArray(String[]::new))
			.bind("payloads", payloads.toArray(String[]::new))
			.then();
	}

	/**
	 * Leases up to {@code limit} due events to {@code owner}. An event is held back while
	 * an earlier event of its ordering key waits for a retry or is leased elsewhere, so
	 * each key's events are handled in order. Each key's first such event is found once,
	 * so a backlog costs its length to lease, not its square. Runs in the caller's
	 * transaction.
	 */
	Flux<OutboxEvent> claim(String owner, Instant now, Instant leasedUntil, int limit) {
		return this.database.sql("select pg_advisory_xact_lock(:lock)")
			.bind("lock", CLAIM_LOCK)
			.then()
			.thenMany(this.database.sql("""
					with held_back as (
					    select ordering_key, min(id) as first_id from outbox_event
					    where status = 'PENDING' and (next_attempt_at > :now or leased_until >= :now)
					    group by ordering_key),
					candidates as (
					    select e.id from outbox_event e
					    where e.status = 'PENDING' and e.next_attempt_at <= :now
					      and (e.leased_until is null or e.leased_until < :now)
					      and not exists (
					          select 1 from held_back h where h.ordering_key = e.ordering_key and h.first_id < e.id)
					    order by e.id
					    limit :limit
					    for update skip locked)
					update outbox_event e set leased_until = :until, lease_owner = :owner
					from candidates c where e.id = c.id
					returning\s""" + prefixed("e."))
				.bind("now", utc(now))
				.bind("until", utc(leasedUntil))
				.bind("owner", owner)
				.bind("limit", limit)
				.map(this::event)
				.all());
	}

	Mono<Void> complete(List<Long> ids, String owner, Instant now) {
		if (ids.isEmpty()) {
			return Mono.empty();
		}
		return this.database.sql("""
				update outbox_event set status = 'DONE', published_at = :now, leased_until = null, lease_owner = null
				where id = any(:ids) and lease_owner = :owner""")
			.bind("ids", ids.toArray(Long[]::new))
			.bind("owner", owner)
			.bind("now", utc(now))
			.then();
	}

	/** Counts a failure: back to pending after {@code retryAt}, or dead at the limit. */
	Mono<Void> fail(long id, String owner, String error, Instant retryAt, int maxAttempts) {
		return this.database.sql("""
				update outbox_event
				set attempts = attempts + 1, last_error = :error, next_attempt_at = :retryAt,
				    leased_until = null, lease_owner = null,
				    status = case when attempts + 1 >= :max then 'DEAD' else 'PENDING' end
				where id = :id and lease_owner = :owner""")
			.bind("id", id)
			.bind("owner", owner)
			.bind("error", error)
			.bind("retryAt", utc(retryAt))
			.bind("max", maxAttempts)
			.then();
	}

	/**
	 * Puts an event back for later without counting an attempt: it failed because the
	 * database or Redis was away, which says nothing about the event.
	 */
	Mono<Void> postpone(long id, String owner, String error, Instant retryAt) {
		return this.database.sql("""
				update outbox_event
				set last_error = :error, next_attempt_at = :retryAt, leased_until = null, lease_owner = null
				where id = :id and lease_owner = :owner""")
			.bind("id", id)
			.bind("owner", owner)
			.bind("error", error)
			.bind("retryAt", utc(retryAt))
			.then();
	}

	/**
	 * Extends this relay's lease on events it still holds; how many it still holds (a
	 * relay too slow for its lease may have lost them to another).
	 */
	Mono<Long> extend(List<Long> ids, String owner, Instant leasedUntil) {
		return this.database
			.sql("update outbox_event set leased_until = :until "
					+ "where id = any(:ids) and lease_owner = :owner and status = 'PENDING'")
			.bind("ids", ids.toArray(Long[]::new))
			.bind("owner", owner)
			.bind("until", utc(leasedUntil))
			.fetch()
			.rowsUpdated();
	}

	/** Gives back events leased but not handled (they queue behind a failed one). */
	Mono<Void> release(List<Long> ids, String owner) {
		if (ids.isEmpty()) {
			return Mono.empty();
		}
		return this.database
			.sql("update outbox_event set leased_until = null, lease_owner = null "
					+ "where id = any(:ids) and lease_owner = :owner")
			.bind("ids", ids.toArray(Long[]::new))
			.bind("owner", owner)
			.then();
	}

	Flux<DeadLetter> dead(List<Long> villageIds, long afterId, int limit) {
		return this.database.sql("""
				select id, type, village_id, payload, created_at, attempts, last_error from outbox_event
				where status = 'DEAD' and village_id = any(:villages) and id > :after
				order by id limit :limit""")
			.bind("villages", villageIds.toArray(Long[]::new))
			.bind("after", afterId)
			.bind("limit", limit)
			.map((row) -> new DeadLetter(event(row), row.get("last_error", String.class)))
			.all();
	}

	Mono<OutboxEvent> find(long id) {
		return this.database.sql("select " + COLUMNS + " from outbox_event where id = :id")
			.bind("id", id)
			.map(this::event)
			.one();
	}

	/** A dead event back in the queue, its count of attempts reset. Empty if not dead. */
	Mono<OutboxEvent> revive(long id, Instant now) {
		return this.database.sql("""
				update outbox_event set status = 'PENDING', attempts = 0, next_attempt_at = :now, last_error = null
				where id = :id and status = 'DEAD'
				returning\s""" + COLUMNS).bind("id", id).bind("now", utc(now)).map(this::event).one();
	}

	private OutboxEvent event(Readable row) {
		return new OutboxEvent(row.get("id", Long.class), row.get("type", String.class),
				row.get("village_id", Long.class), this.json.readTree(row.get("payload", Json.class).asString()),
				row.get("created_at", OffsetDateTime.class).toInstant(), row.get("attempts", Integer.class));
	}

	private static String prefixed(String alias) {
		return String.join(", ", List.of(COLUMNS.split(", ")).stream().map((column) -> alias + column).toList());
	}

	private static OffsetDateTime utc(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}

	record DeadLetter(OutboxEvent event, @Nullable String lastError) {
	}

}
