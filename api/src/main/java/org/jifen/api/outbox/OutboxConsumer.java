package org.jifen.api.outbox;

import java.util.List;

import reactor.core.publisher.Mono;

/**
 * Something that acts on outbox events (the inbox and live stream, the boards). The relay
 * calls every consumer for every event, at least once: a consumer must recognise an event
 * it has already handled by its id. An error makes the relay retry the whole event later.
 */
public interface OutboxConsumer {

	/** A short name for logs and the dead-letter list. */
	String name();

	Mono<Void> handle(OutboxEvent event);

	/**
	 * Reads ahead, in one go, what handling a round's events will need, so that each
	 * event does not read it again; kept until {@link #afterRound}. Optional: a failure
	 * only means each event reads for itself.
	 */
	default Mono<Void> beforeRound(List<OutboxEvent> events) {
		return Mono.empty();
	}

	/** Forgets what {@link #beforeRound} read ahead for these events. */
	default void afterRound(List<OutboxEvent> events) {
	}

}
