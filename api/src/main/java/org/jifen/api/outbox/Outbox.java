package org.jifen.api.outbox;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.jifen.api.identity.Access;
import org.jifen.api.identity.Caller;
import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.jifen.api.village.RegionId;
import org.jifen.api.village.Villages;
import org.jifen.api.web.CursorPage;
import org.jifen.api.web.PageRequest;
import org.springframework.stereotype.Service;

/**
 * The outbox's public face: features append events in the transaction of the change they
 * describe; admins list the events that could not be delivered and send them again.
 */
@Service
public class Outbox {

	private final OutboxRepository repository;

	private final Access access;

	private final Villages villages;

	private final JsonMapper json;

	private final Clock clock;

	Outbox(OutboxRepository repository, Access access, Villages villages, JsonMapper json, Clock clock) {
		this.repository = repository;
		this.access = access;
		this.villages = villages;
		this.json = json;
		this.clock = clock;
	}

	/**
	 * Appends an event in the current transaction; it is delivered only if that
	 * transaction commits. Events of one village are delivered in order.
	 */
	public Mono<Long> append(String type, @Nullable RegionId village, Object payload) {
		String body = (payload instanceof String text) ? text : this.json.writeValueAsString(payload);
		return this.repository.append(type, (village != null) ? village.value() : null, body);
	}

	/**
	 * Appends a batch's events of one village in the current transaction, in one
	 * statement and in the order given.
	 */
	public Mono<Void> appendAll(RegionId village, List<NewEvent> events) {
		if (events.isEmpty()) {
			return Mono.empty();
		}
		return this.repository.appendAll(village.value(), events.stream().map(NewEvent::type).toList(),
				events.stream()
					.map((event) -> (event.payload() instanceof String text) ? text
							: this.json.writeValueAsString(event.payload()))
					.toList());
	}

	/** An event to append with {@link #appendAll}. */
	public record NewEvent(String type, Object payload) {
	}

	/** Dead events of the villages in a region, for its admins. */
	Mono<CursorPage<OutboxRepository.DeadLetter>> deadLetters(RegionId region, PageRequest page) {
		return this.access.requireAdmin(region)
			.then(this.villages.subtree(region))
			.flatMap((villages) -> this.repository
				.dead(villages.stream().map(RegionId::value).toList(), page.afterId(), page.fetchSize())
				.collectList())
			.map((rows) -> CursorPage.of(rows, page, (row) -> row.event().id()));
	}

	/**
	 * Puts a dead event back in the queue (an admin of its village fixed the cause); the
	 * relay's next poll picks it up.
	 */
	Mono<OutboxEvent> retry(Caller caller, long eventId) {
		return this.repository.find(eventId)
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.NOT_FOUND, "event-not-found",
					"There is no event " + eventId + ".", Map.of("eventId", eventId))))
			.flatMap((event) -> ((event.villageId() != null)
					? this.access.requireAdmin(caller, new RegionId(event.villageId())) : Mono.just(caller))
				.then(this.repository.revive(eventId, this.clock.instant()))
				.switchIfEmpty(Mono.error(() -> new DomainException(Kind.CONFLICT, "event-not-dead",
						"Event " + eventId + " is not dead; the relay is still working on it.",
						Map.of("eventId", eventId)))));
	}

}
