package org.jifen.api.web;

import java.time.Duration;
import java.util.Arrays;

import reactor.core.publisher.Mono;

import org.jifen.api.shared.Sql;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/**
 * The {@code Idempotency-Key} records in PostgreSQL, written in the transaction of the
 * change they answer for: a key and its change commit together or not at all. While a
 * request runs, a transaction-scoped advisory lock on (principal, key) marks it as in
 * progress; the lock goes with the transaction however it ends, even when the instance
 * dies, so a retry never waits for a lease.
 */
@Component
class IdempotencyStore {

	/** What to do with a request that carries a key. */
	sealed interface Claim {

	}

	/** The key is new (or its earlier runs were rolled back): run the request. */
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

	/** Namespace of the advisory locks of keys in progress. */
	private static final int KEY_LOCK = 0x69646D;

	private final DatabaseClient database;

	IdempotencyStore(DatabaseClient database) {
		this.database = database;
	}

	/**
	 * Decides, inside the request's transaction, whether it runs. The lock comes first
	 * and the read after it, so that the read sees whatever an earlier holder committed.
	 */
	Mono<Claim> claim(String principal, String key, String method, String path, byte[] requestHash) {
		return this.database.sql("select pg_try_advisory_xact_lock(:space, hashtext(:lock)) as locked")
			.bind("space", KEY_LOCK)
			.bind("lock", principal + "\n" + key)
			.map((row, meta) -> Boolean.TRUE.equals(row.get("locked", Boolean.class)))
			.one()
			.flatMap((locked) -> locked ? existing(principal, key, method, path, requestHash).defaultIfEmpty(new Run())
					: Mono.just(new InProgress()));
	}

	private Mono<Claim> existing(String principal, String key, String method, String path, byte[] requestHash) {
		return this.database.sql("""
				select method, path, request_hash, state, response_status, response_content_type,
				       response_location, response_body
				from idempotency_key where principal = :principal and idem_key = :key""")
			.bind("principal", principal)
			.bind("key", key)
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
				// Left in progress by a version that committed keys apart from their
				// change: run again, as that version did after its lease.
				return new Run();
			})
			.one();
	}

	/** Records the answer, in the same transaction as the change it answers for. */
	Mono<Void> complete(String principal, String key, String method, String path, byte[] requestHash,
			StoredResponse response) {
		var spec = this.database.sql("""
				insert into idempotency_key (principal, idem_key, method, path, request_hash, state, response_status,
				                             response_content_type, response_location, response_body)
				values (:principal, :key, :method, :path, :hash, 'COMPLETED', :status, :contentType, :location, :body)
				on conflict (principal, idem_key) do update
				set method = excluded.method, path = excluded.path, request_hash = excluded.request_hash,
				    state = 'COMPLETED', response_status = excluded.response_status,
				    response_content_type = excluded.response_content_type,
				    response_location = excluded.response_location, response_body = excluded.response_body,
				    updated_at = now()""")
			.bind("principal", principal)
			.bind("key", key)
			.bind("method", method)
			.bind("path", path)
			.bind("hash", requestHash)
			.bind("status", response.status())
			.bind("body", response.body());
		spec = Sql.bindNullable(spec, "contentType", response.contentType(), String.class);
		spec = Sql.bindNullable(spec, "location", response.location(), String.class);
		return spec.then();
	}

	Mono<Long> purgeOlderThan(Duration retention) {
		return this.database.sql("delete from idempotency_key where created_at < now() - make_interval(secs => :age)")
			.bind("age", (double) retention.toSeconds())
			.fetch()
			.rowsUpdated();
	}

}
