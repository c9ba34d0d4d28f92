package org.jifen.api.web;

import java.time.Duration;
import java.util.Arrays;

import reactor.core.publisher.Mono;

import org.jifen.api.shared.Sql;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/**
 * The {@code Idempotency-Key} records in PostgreSQL. The primary key (principal, key)
 * settles who runs a request first; a record stays at least the configured retention so a
 * late retry still sees the first answer.
 */
@Component
class IdempotencyStore {

	/** What to do with a request that carries a key. */
	sealed interface Claim {

	}

	/** The key is new (or its earlier run was abandoned): run the request. */
	record Run() implements Claim {
	}

	/** The key has a finished answer for the same request: send it again. */
	record Replay(StoredResponse response) implements Claim {
	}

	/** The key was used for a different request. */
	record Mismatch() implements Claim {
	}

	/** The first request with this key is still running. */
	record InProgress() implements Claim {
	}

	/** The answer kept for replays. */
	record StoredResponse(int status, String contentType, String location, byte[] body) {
	}

	private final DatabaseClient database;

	private final Duration lease;

	IdempotencyStore(DatabaseClient database, IdempotencyProperties properties) {
		this.database = database;
		this.lease = properties.lease();
	}

	Mono<Claim> claim(String principal, String key, String method, String path, byte[] requestHash) {
		return this.database.sql("""
				insert into idempotency_key (principal, idem_key, method, path, request_hash, state)
				values (:principal, :key, :method, :path, :hash, 'IN_PROGRESS')
				on conflict (principal, idem_key) do nothing""")
			.bind("principal", principal)
			.bind("key", key)
			.bind("method", method)
			.bind("path", path)
			.bind("hash", requestHash)
			.fetch()
			.rowsUpdated()
			.flatMap((inserted) -> (inserted == 1) ? Mono.just(new Run())
					: existing(principal, key, method, path, requestHash));
	}

	private Mono<Claim> existing(String principal, String key, String method, String path, byte[] requestHash) {
		return this.database.sql("""
				select method, path, request_hash, state, response_status, response_content_type,
				       response_location, response_body, updated_at < now() - make_interval(secs => :lease) as abandoned
				from idempotency_key where principal = :principal and idem_key = :key""")
			.bind("principal", principal)
			.bind("key", key)
			.bind("lease", (double) this.lease.toSeconds())
			.map((row, meta) -> {
				boolean sameRequest = method.equals(row.get("method", String.class))
						&& path.equals(row.get("path", String.class))
						&& Arrays.equals(requestHash, row.get("request_hash", byte[].class));
				if (!sameRequest) {
					return (Claim) new Mismatch();
				}
				if ("COMPLETED".equals(row.get("state", String.class))) {
					return new Replay(new StoredResponse(row.get("response_status", Integer.class),
							row.get("response_content_type", String.class), row.get("response_location", String.class),
							row.get("response_body", byte[].class)));
				}
				return Boolean.TRUE.equals(row.get("abandoned", Boolean.class)) ? new Run() : new InProgress();
			})
			.one()
			.flatMap((claim) -> (claim instanceof Run) ? takeOver(principal, key) : Mono.just(claim))
			// The row vanished between insert and select (released by a failed first
			// run): try again.
			.switchIfEmpty(Mono.defer(() -> claim(principal, key, method, path, requestHash)));
	}

	/**
	 * Takes over an abandoned run; of several retries arriving together, exactly one
	 * wins.
	 */
	private Mono<Claim> takeOver(String principal, String key) {
		return this.database.sql("""
				update idempotency_key set updated_at = now()
				where principal = :principal and idem_key = :key and state = 'IN_PROGRESS'
				  and updated_at < now() - make_interval(secs => :lease)""")
			.bind("principal", principal)
			.bind("key", key)
			.bind("lease", (double) this.lease.toSeconds())
			.fetch()
			.rowsUpdated()
			.map((updated) -> (updated == 1) ? new Run() : new InProgress());
	}

	Mono<Void> complete(String principal, String key, StoredResponse response) {
		var spec = this.database.sql("""
				update idempotency_key
				set state = 'COMPLETED', response_status = :status, response_content_type = :contentType,
				    response_location = :location, response_body = :body, updated_at = now()
				where principal = :principal and idem_key = :key""")
			.bind("principal", principal)
			.bind("key", key)
			.bind("status", response.status())
			.bind("body", response.body());
		spec = Sql.bindNullable(spec, "contentType", response.contentType(), String.class);
		spec = Sql.bindNullable(spec, "location", response.location(), String.class);
		return spec.then();
	}

	/** Forgets a run that failed, so that a retry with the same key runs again. */
	Mono<Void> release(String principal, String key) {
		return this.database.sql(
				"delete from idempotency_key where principal = :principal and idem_key = :key and state = 'IN_PROGRESS'")
			.bind("principal", principal)
			.bind("key", key)
			.then();
	}

	Mono<Long> purgeOlderThan(Duration retention) {
		return this.database.sql("delete from idempotency_key where created_at < now() - make_interval(secs => :age)")
			.bind("age", (double) retention.toSeconds())
			.fetch()
			.rowsUpdated();
	}

}
