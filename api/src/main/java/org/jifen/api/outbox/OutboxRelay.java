package org.jifen.api.outbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Wrapped;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

import org.jifen.api.shared.Outages;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * Hands every outbox event to every {@link OutboxConsumer}. Safe to run in every instance
 * at once: a batch is leased under a short claiming lock, handled outside any
 * transaction, then marked done; a relay that dies mid-batch only lets its lease run out,
 * and the events are handled again (consumers de-duplicate by event id). Woken by
 * PostgreSQL's LISTEN/NOTIFY when an event commits, with polling as the fallback.
 */
@Component
public class OutboxRelay implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

	private static final int PARALLEL_KEYS = 4;

	private final OutboxRepository repository;

	private final ObjectProvider<OutboxConsumer> consumers;

	private final OutboxProperties properties;

	private final TransactionalOperator transactions;

	private final ConnectionFactory connections;

	private final Clock clock;

	private final String owner = UUID.randomUUID().toString();

	private final Sinks.Many<Boolean> wakeUps = Sinks.many().multicast().directBestEffort();

	private volatile Disposable running = Disposables.disposed();

	OutboxRelay(OutboxRepository repository, ObjectProvider<OutboxConsumer> consumers, OutboxProperties properties,
			TransactionalOperator transactions, ConnectionFactory connections, Clock clock) {
		this.repository = repository;
		// Looked up when used: consumers read other features, which append to the outbox.
		this.consumers = consumers;
		this.properties = properties;
		this.transactions = transactions;
		this.connections = connections;
		this.clock = clock;
	}

	@Override
	public void start() {
		if (!this.properties.enabled()) {
			return;
		}
		Flux<Boolean> ticks = Flux.interval(this.properties.pollInterval()).map((tick) -> true);
		Disposable loop = Flux.merge(ticks, this.wakeUps.asFlux(), notifications())
			.onBackpressureLatest()
			.concatMap((wake) -> Mono.delay(this.properties.gather()).then(drain()).onErrorResume((error) -> {
				log.warn("The outbox relay failed a round; it tries again", error);
				return Mono.empty();
			}), 1)
			.subscribe();
		this.running = loop;
		log.info("Outbox relay {} started for {}", this.owner,
				this.consumers.orderedStream().map(OutboxConsumer::name).toList());
	}

	@Override
	public void stop() {
		this.running.dispose();
	}

	@Override
	public boolean isRunning() {
		return !this.running.isDisposed();
	}

	/** Asks for a round now (an event was revived, or a test wants it). */
	void wake() {
		this.wakeUps.tryEmitNext(true);
	}

	/** Rounds until the queue holds nothing due; emits how many events were handled. */
	Mono<Long> drain() {
		return round().expand((handled) -> (handled >= this.properties.batchSize()) ? round() : Mono.empty())
			.reduce(0L, Long::sum);
	}

	/** One round: lease a batch, handle each village's events in order, report. */
	Mono<Long> round() {
		Instant now = this.clock.instant();
		return this.repository.claim(this.owner, now, now.plus(this.properties.lease()), this.properties.batchSize())
			.collectList()
			.as(this.transactions::transactional)
			.flatMap((batch) -> readAhead(batch)
				.then(Flux.fromIterable(byVillage(batch))
					.flatMap((events) -> inOrder(events, now), PARALLEL_KEYS)
					.reduce(0L, Long::sum))
				.doFinally(
						(signal) -> this.consumers.orderedStream().forEach((consumer) -> consumer.afterRound(batch))));
	}

	/**
	 * Each consumer reads ahead for the round; if one cannot, its events read for
	 * themselves, and fail (or wait out an outage) one by one as they would.
	 */
	private Mono<Void> readAhead(List<OutboxEvent> batch) {
		if (batch.isEmpty()) {
			return Mono.empty();
		}
		return Flux.fromStream(this.consumers::orderedStream)
			.concatMap((consumer) -> consumer.beforeRound(batch).onErrorResume((error) -> {
				log.warn("The {} consumer could not read ahead for a round: {}", consumer.name(), error.toString());
				return Mono.empty();
			}))
			.then();
	}

	private static List<List<OutboxEvent>> byVillage(List<OutboxEvent> batch) {
		Map<Long, List<OutboxEvent>> groups = new LinkedHashMap<>();
		// UPDATE … RETURNING promises no order: put each village's events back in id
		// order.
		for (OutboxEvent event : batch.stream().sorted(Comparator.comparingLong(OutboxEvent::id)).toList()) {
			groups.computeIfAbsent((event.villageId() != null) ? event.villageId() : 0L, (key) -> new ArrayList<>())
				.add(event);
		}
		return List.copyOf(groups.values());
	}

	/**
	 * Handles one village's events in order and marks those handled done together, in one
	 * statement at the end: a relay that dies meanwhile leaves them to be handled again,
	 * which consumers recognise. At the first failure the rest are given back, to wait
	 * behind the failed one. Past a third of the lease the lease is extended before each
	 * event, and if another relay has taken the events meanwhile, this one stops.
	 */
	private Mono<Long> inOrder(List<OutboxEvent> events, Instant leasedAt) {
		List<Long> handled = new ArrayList<>();
		// A village whose bookkeeping fails (the database went away) stops its turn but
		// neither cancels the other villages' turns nor loses what it handled: that is
		// still marked done, or, failing that, handled again after the lease.
		return inOrder(events, leasedAt, handled).onErrorResume((error) -> {
			log.warn("The outbox relay broke off a village's turn: {}", error.toString());
			return Mono.empty();
		})
			.then(Mono.defer(() -> this.repository.complete(handled, this.owner, this.clock.instant())))
			.then(Mono.fromSupplier(() -> (long) handled.size()))
			.onErrorResume((error) -> {
				log.warn("The outbox relay could not mark {} events done; they come again after the lease: {}",
						handled.size(), error.toString());
				return Mono.just(0L);
			});
	}

	private Mono<Void> inOrder(List<OutboxEvent> events, Instant leasedAt, List<Long> handled) {
		if (events.isEmpty()) {
			return Mono.empty();
		}
		Instant now = this.clock.instant();
		boolean extend = now.isAfter(leasedAt.plus(this.properties.lease().dividedBy(3)));
		// The events handled but not yet marked done keep their lease too.
		List<Long> leasedIds = new ArrayList<>(handled);
		events.forEach((event) -> leasedIds.add(event.id()));
		Mono<Instant> leased = !extend ? Mono.just(leasedAt)
				: this.repository.extend(leasedIds, this.owner, now.plus(this.properties.lease()))
					.flatMap((kept) -> (kept == leasedIds.size()) ? Mono.just(now) : Mono.empty());
		OutboxEvent head = events.getFirst();
		List<OutboxEvent> rest = events.subList(1, events.size());
		return leased.flatMap((renewed) -> deliver(head).thenReturn(true)
			.onErrorResume((error) -> failed(head, error).thenReturn(false))
			.flatMap((delivered) -> {
				if (!delivered) {
					return this.repository.release(rest.stream().map(OutboxEvent::id).toList(), this.owner);
				}
				handled.add(head.id());
				return inOrder(rest, renewed, handled);
			}));
	}

	private Mono<Void> deliver(OutboxEvent event) {
		// Every consumer gets its turn even if an earlier one fails; the event is retried
		// (for all, each de-duplicating) if any failed.
		return Flux.fromStream(this.consumers::orderedStream)
			.concatMapDelayError((consumer) -> consumer.handle(event))
			.then();
	}

	private Mono<Void> failed(OutboxEvent event, Throwable error) {
		String reason = String.valueOf(error.getMessage());
		reason = reason.substring(0, Math.min(reason.length(), 1000));
		if (Outages.isOutage(error)) {
			// However long Redis or the database is away, the event waits for it: an
			// outage counted as attempts would kill every event of a few minutes' outage.
			log.warn("Outbox event {} ({}) waits for an outage to pass: {}", event.id(), event.type(),
					error.toString());
			return this.repository.postpone(event.id(), this.owner, reason,
					this.clock.instant().plus(this.properties.firstRetry()));
		}
		int attempt = event.attempts() + 1;
		boolean dead = attempt >= this.properties.maxAttempts();
		if (dead) {
			log.error("Outbox event {} ({}) failed {} times and is dead", event.id(), event.type(), attempt, error);
		}
		else {
			log.warn("Outbox event {} ({}) failed (attempt {}): {}", event.id(), event.type(), attempt,
					error.toString());
		}
		return this.repository.fail(event.id(), this.owner, reason,
				this.clock.instant().plus(this.properties.backOff(attempt)), this.properties.maxAttempts());
	}

	/**
	 * PostgreSQL's notifications on {@code jifen_outbox}, on one pooled connection held
	 * for the purpose; reconnects with back-off if it drops (polling covers the gap).
	 */
	private Flux<Boolean> notifications() {
		return Flux.usingWhen(this.connections.create(), this::listen, Connection::close)
			.retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1))
				.maxBackoff(Duration.ofSeconds(30))
				.doBeforeRetry((signal) -> log.warn("Outbox LISTEN connection lost; reconnecting: {}",
						signal.failure().toString())));
	}

	@SuppressWarnings("unchecked")
	private Flux<Boolean> listen(Connection connection) {
		Connection target = (connection instanceof Wrapped<?> wrapped) ? ((Wrapped<Connection>) wrapped).unwrap()
				: connection;
		if (!(target instanceof PostgresqlConnection postgres)) {
			return Flux.never();
		}
		return postgres.createStatement("LISTEN jifen_outbox")
			.execute()
			.flatMap((result) -> result.getRowsUpdated())
			.thenMany(postgres.getNotifications())
			.map((notification) -> true);
	}

}
