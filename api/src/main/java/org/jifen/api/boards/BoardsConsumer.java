package org.jifen.api.boards;

import java.time.Instant;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.jifen.api.inbox.Inbox;
import org.jifen.api.outbox.OutboxConsumer;
import org.jifen.api.outbox.OutboxEvent;
import org.jifen.api.village.HouseholdId;
import org.jifen.api.village.MemberId;
import org.springframework.stereotype.Component;

/**
 * Keeps the boards live from ledger postings: each household's (or, for member-owned
 * kinds, member's) score change moves the boards of its village, town and county. The
 * journal transaction id is the change id, so a redelivered event changes nothing.
 */
@Component
class BoardsConsumer implements OutboxConsumer {

	private final Boards boards;

	private final Inbox inbox;

	BoardsConsumer(Boards boards, Inbox inbox) {
		this.boards = boards;
		this.inbox = inbox;
	}

	@Override
	public String name() {
		return "boards";
	}

	@Override
	public Mono<Void> handle(OutboxEvent event) {
		if (!event.type().equals("points.posted")) {
			return Mono.empty();
		}
		JsonNode payload = event.payload();
		long transactionId = payload.path("transactionId").asLong();
		long kindId = payload.path("kindId").asLong();
		String type = payload.path("type").asString("");
		Instant occurredAt = Instant.parse(payload.path("occurredAt").asString());
		String category = payload.hasNonNull("category") ? payload.get("category").asString() : null;
		return Flux.fromIterable(payload.path("legs"))
			.filter((leg) -> leg.path("scoreDelta").asLong() != 0)
			.concatMap((leg) -> {
				long scoreDelta = leg.path("scoreDelta").asLong();
				if (leg.hasNonNull("householdId")) {
					HouseholdId household = new HouseholdId(leg.get("householdId").asLong());
					// The household's members see their new place at once (rank changes).
					return this.boards.apply(transactionId, kindId, type, category, occurredAt, household, scoreDelta)
						.then(this.boards.monthStanding(household, kindId, occurredAt)
							.flatMap((standing) -> this.inbox.liveToHousehold(household, "rank", standing)));
				}
				if (leg.hasNonNull("memberId")) {
					return this.boards.apply(transactionId, kindId, type, category, occurredAt,
							new MemberId(leg.get("memberId").asLong()), scoreDelta);
				}
				return Mono.<Void>empty();
			})
			.then();
	}

}
