package org.jifen.api.outbox;

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

}
