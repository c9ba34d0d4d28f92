package org.jifen.api.outbox;

import java.time.Instant;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.jifen.api.identity.Access;
import org.jifen.api.village.RegionId;
import org.jifen.api.web.CursorPage;
import org.jifen.api.web.PageRequest;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Events the relay gave up on, for admins to see and send again. */
@RestController
@Tag(name = "Operations", description = "Health of the event relay")
class OutboxController {

	private final Outbox outbox;

	private final Access access;

	OutboxController(Outbox outbox, Access access) {
		this.outbox = outbox;
		this.access = access;
	}

	@GetMapping(path = "/api/v1/regions/{regionId}/dead-letters", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Events of the region's villages that could not be delivered (admins)")
	Mono<CursorPage<DeadLetterResponse>> deadLetters(@PathVariable long regionId,
			@RequestParam(required = false) @Nullable String cursor,
			@RequestParam(required = false) @Nullable Integer limit) {
		return this.outbox.deadLetters(new RegionId(regionId), PageRequest.of(cursor, limit))
			.map((page) -> new CursorPage<>(page.items().stream().map(DeadLetterResponse::of).toList(),
					page.nextCursor()));
	}

	@PostMapping(path = "/api/v1/outbox-events/{eventId}/retry", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Send a dead event again (admins of its village)")
	Mono<DeadLetterResponse> retry(@PathVariable long eventId) {
		return this.access.caller()
			.flatMap((caller) -> this.outbox.retry(caller, eventId))
			.map((event) -> DeadLetterResponse.of(new OutboxRepository.DeadLetter(event, null)));
	}

	record DeadLetterResponse(long eventId, String type, @Nullable Long villageId, JsonNode payload, Instant createdAt,
			int attempts, @Nullable String lastError) {

		static DeadLetterResponse of(OutboxRepository.DeadLetter dead) {
			OutboxEvent event = dead.event();
			return new DeadLetterResponse(event.id(), event.type(), event.villageId(), event.payload(),
					event.createdAt(), event.attempts(), dead.lastError());
		}

	}

}
