package org.jifen.api.web;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.util.Set;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Honours {@code Idempotency-Key} on every mutating request (POST, PUT, PATCH, DELETE):
 * the first request with a key runs and its answer is stored; a replay gets that answer
 * unchanged (marked {@code Idempotent-Replayed: true}); the same key with another request
 * is refused with 422; the same key while the first run is still going is refused with
 * 409. A run that fails is forgotten, so that a retry runs again.
 *
 * <p>
 * A keyed request runs in one transaction that the handler's own transactions join, and
 * its answer is stored in it: the change and its key commit together, and the answer
 * leaves only after the commit. A process that dies at any point leaves either both or
 * neither, so a retry never makes the change twice and never loses it.
 *
 * <p>
 * Keys are scoped to the caller, so two people can never collide.
 */
@Component
class IdempotencyFilter implements WebFilter {

	static final String HEADER = "Idempotency-Key";

	static final String REPLAYED_HEADER = "Idempotent-Replayed";

	private static final Logger log = LoggerFactory.getLogger(IdempotencyFilter.class);

	private static final Set<HttpMethod> MUTATING = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
			HttpMethod.DELETE);

	private static final Pattern VALID_KEY = Pattern.compile("[\\x21-\\x7e]{1,200}");

	/**
	 * Routes whose answers carry secrets (tokens, invite codes) are never stored for
	 * replay: a copy of the database must not hand out live sessions, and a replayed
	 * refresh must not dodge reuse detection. These routes are safe to retry without a
	 * key.
	 */
	private static final Pattern UNSTORED = Pattern.compile("/api/v1/auth/.*|/api/v1/members/[^/]+/invite-codes");

	private final IdempotencyStore store;

	private final IdempotencyProperties properties;

	private final TransactionalOperator transactions;

	IdempotencyFilter(IdempotencyStore store, IdempotencyProperties properties, TransactionalOperator transactions) {
		this.store = store;
		this.properties = properties;
		this.transactions = transactions;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		String key = request.getHeaders().getFirst(HEADER);
		if (key == null || !MUTATING.contains(request.getMethod())
				|| UNSTORED.matcher(RequestPaths.decoded(request)).matches()) {
			return chain.filter(exchange);
		}
		if (!VALID_KEY.matcher(key).matches()) {
			return Mono.error(new DomainException(Kind.MALFORMED, "invalid-idempotency-key",
					"Idempotency-Key must be 1 to 200 visible ASCII characters."));
		}
		String method = request.getMethod().name();
		String path = request.getURI().getRawPath()
				+ ((request.getURI().getRawQuery() != null) ? "?" + request.getURI().getRawQuery() : "");
		return exchange.getPrincipal()
			.map(Principal::getName)
			.defaultIfEmpty("anonymous")
			.zipWith(readBody(request))
			.flatMap((callerAndBody) -> {
				String principal = callerAndBody.getT1();
				byte[] body = callerAndBody.getT2();
				byte[] hash = sha256(body);
				HeldResponse response = new HeldResponse(exchange.getResponse());
				Mono<IdempotencyStore.Claim> decided = this.store.claim(principal, key, method, path, hash)
					.flatMap((claim) -> switch (claim) {
						case IdempotencyStore.Run run -> run(exchange, chain, body, response)
							.then(Mono.defer(
									() -> this.store.complete(principal, key, method, path, hash, response.stored())))
							.thenReturn(claim);
						case IdempotencyStore.Replay replay -> Mono.just(replay);
						case IdempotencyStore.Mismatch mismatch ->
							Mono.error(new DomainException(Kind.REFUSED, "idempotency-key-reused",
									"This Idempotency-Key was already used for a different request."));
						case IdempotencyStore.InProgress inProgress ->
							Mono.error(new DomainException(Kind.CONFLICT, "idempotency-request-in-progress",
									"The first request with this Idempotency-Key is still running; retry shortly."));
					});
				return this.transactions.transactional(decided)
					.flatMap((claim) -> (claim instanceof IdempotencyStore.Replay replay)
							? replay(exchange, replay.response()) : response.release());
			});
	}

	private Mono<byte[]> readBody(ServerHttpRequest request) {
		return RequestBodies.bytes(request.getBody(), (int) this.properties.maxBody().toBytes());
	}

	private Mono<Void> run(ServerWebExchange exchange, WebFilterChain chain, byte[] body, HeldResponse response) {
		ServerHttpRequest request = new ServerHttpRequestDecorator(exchange.getRequest()) {
			@Override
			public Flux<DataBuffer> getBody() {
				return Flux.defer(() -> Flux.just(exchange.getResponse().bufferFactory().wrap(body)));
			}
		};
		return chain.filter(exchange.mutate().request(request).response(response).build());
	}

	private Mono<Void> replay(ServerWebExchange exchange, IdempotencyStore.StoredResponse stored) {
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(HttpStatusCode.valueOf(stored.status()));
		response.getHeaders().set(REPLAYED_HEADER, "true");
		if (stored.contentType() != null) {
			response.getHeaders().setContentType(MediaType.parseMediaType(stored.contentType()));
		}
		if (stored.location() != null) {
			response.getHeaders().set("Location", stored.location());
		}
		byte[] bytes = (stored.body() != null) ? stored.body() : new byte[0];
		return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(bytes)));
	}

	@Scheduled(fixedDelayString = "${jifen.idempotency.purge-interval:PT1H}", initialDelayString = "PT1M")
	Mono<Void> purgeExpiredKeys() {
		return this.store.purgeOlderThan(this.properties.retention())
			.doOnNext((purged) -> log.debug("Purged {} expired idempotency keys", purged))
			.then();
	}

	private static byte[] sha256(byte[] body) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(body);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is part of every JDK", ex);
		}
	}

	/**
	 * Holds the answer back, status and headers too, until the transaction has committed:
	 * a client must never hear of a change that then rolls back, and a request that fails
	 * after its handler answered must leave the real response untouched for the problem
	 * that replaces the answer.
	 */
	private static final class HeldResponse extends ServerHttpResponseDecorator {

		private final HttpHeaders headers = new HttpHeaders();

		private volatile @Nullable HttpStatusCode status;

		private volatile byte @Nullable [] body;

		HeldResponse(ServerHttpResponse delegate) {
			super(delegate);
		}

		@Override
		public boolean setStatusCode(@Nullable HttpStatusCode status) {
			this.status = status;
			return true;
		}

		@Override
		public @Nullable HttpStatusCode getStatusCode() {
			return this.status;
		}

		@Override
		public HttpHeaders getHeaders() {
			return this.headers;
		}

		@Override
		public boolean isCommitted() {
			return false;
		}

		@Override
		public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
			return DataBufferUtils.join(Flux.from(body)).map((joined) -> {
				byte[] bytes = new byte[joined.readableByteCount()];
				joined.read(bytes);
				DataBufferUtils.release(joined);
				return bytes;
			}).defaultIfEmpty(new byte[0]).doOnNext((bytes) -> this.body = bytes).then();
		}

		@Override
		public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
			return writeWith(Flux.from(body).concatMap(Flux::from));
		}

		@Override
		public Mono<Void> setComplete() {
			if (this.body == null) {
				this.body = new byte[0];
			}
			return Mono.empty();
		}

		/**
		 * The answer as it stands; a handler with no body (204) wrote nothing and left
		 * only its status.
		 */
		IdempotencyStore.StoredResponse stored() {
			HttpStatusCode code = (this.status != null) ? this.status : HttpStatus.OK;
			MediaType contentType = this.headers.getContentType();
			byte[] bytes = this.body;
			return new IdempotencyStore.StoredResponse(code.value(),
					(contentType != null) ? contentType.toString() : null, this.headers.getFirst("Location"),
					(bytes != null) ? bytes : new byte[0]);
		}

		/** Sends the held answer, once its transaction has committed. */
		Mono<Void> release() {
			ServerHttpResponse response = getDelegate();
			if (this.status != null) {
				response.setStatusCode(this.status);
			}
			this.headers.forEach((name, values) -> response.getHeaders().put(name, values));
			byte[] bytes = this.body;
			return (bytes != null) ? response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(bytes)))
					: Mono.empty();
		}

	}

}
