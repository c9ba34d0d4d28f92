package org.jifen.api.inbox;

import java.util.ArrayList;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.jifen.api.identity.Accounts;
import org.jifen.api.ledger.Ledger;
import org.jifen.api.outbox.OutboxConsumer;
import org.jifen.api.outbox.OutboxEvent;

import org.jifen.api.village.HouseholdId;

import org.jifen.api.village.Villages;
import org.springframework.stereotype.Component;

/**
 * Turns ledger postings into notifications and balance updates for the members of the
 * households whose points moved.
 */
@Component
class InboxConsumer implements OutboxConsumer {

	private final Inbox inbox;

	private final Villages villages;

	private final Ledger ledger;

	private final Accounts accounts;

	InboxConsumer(Inbox inbox, Villages villages, Ledger ledger, Accounts accounts) {
		this.accounts = accounts;
		this.inbox = inbox;
		this.villages = villages;
		this.ledger = ledger;
	}

	@Override
	public String name() {
		return "inbox";
	}

	@Override
	public Mono<Void> handle(OutboxEvent event) {
		JsonNode payload = event.payload();
		if (!event.type().equals("points.posted")) {
			if (payload.hasNonNull("staffOfMerchant") && payload.has("arguments")) {
				return toStaff(event, payload);
			}
			return payload.hasNonNull("householdId") && payload.has("arguments") ? announcement(event, payload)
					: Mono.empty();
		}
		String variant = switch (payload.path("type").asString("")) {
			case "AWARD" -> "award";
			case "DEDUCTION" -> "deduction";
			default -> null;
		};
		return Flux.fromIterable(payload.path("legs"))
			.filter((leg) -> leg.hasNonNull("householdId"))
			.concatMap((leg) -> household(event, variant, payload.path("memo").asString(""), leg))
			.then();
	}

	@Override
	public Mono<Void> beforeRound(List<OutboxEvent> events) {
		return this.inbox.readAhead(households(events));
	}

	@Override
	public void afterRound(List<OutboxEvent> events) {
		this.inbox.forgetReadAhead(households(events));
	}

	/** The households whose members the events' notifications and live updates go to. */
	private static Set<HouseholdId> households(List<OutboxEvent> events) {
		Set<HouseholdId> households = new LinkedHashSet<>();
		for (OutboxEvent event : events) {
			JsonNode payload = event.payload();
			if (payload.hasNonNull("householdId")) {
				households.add(new HouseholdId(payload.get("householdId").asLong()));
			}
			for (JsonNode leg : payload.path("legs")) {
				if (leg.hasNonNull("householdId")) {
					households.add(new HouseholdId(leg.get("householdId").asLong()));
				}
			}
		}
		return households;
	}

	private Mono<Void> household(OutboxEvent event, @Nullable String variant, String memo, JsonNode leg) {
		HouseholdId householdId = new HouseholdId(leg.get("householdId").asLong());
		long points = Math.abs(
				(leg.path("scoreDelta").asLong() != 0) ? leg.path("scoreDelta").asLong() : leg.path("amount").asLong());
		// Read once, and only if a member signs in to hear of it.
		Mono<List<?>> balances = balances(householdId).cache();
		return this.inbox.toMembers(householdId, (user, phone) -> {
			Mono<Void> notified = (variant != null)
					? this.inbox.notify(event.id(), event.type(), variant, List.of(points, memo), user, phone)
					: Mono.empty();
			return notified.then(balances.flatMap((figures) -> this.inbox.balanceChanged(user.userId(),
					Inbox.balanceEvent(householdId.value(), figures))));
		});
	}

	/**
	 * An event about a household (a claim decided, a rectification notice): its text's
	 * arguments come with it.
	 */
	private Mono<Void> announcement(OutboxEvent event, JsonNode payload) {
		List<Object> arguments = arguments(payload);
		return this.inbox.toMembers(new HouseholdId(payload.get("householdId").asLong()),
				(user, phone) -> this.inbox.notify(event.id(), event.type(), null, arguments, user, phone));
	}

	/**
	 * An event for a merchant's staff (its tills), who belong to no household.
	 */
	private Mono<Void> toStaff(OutboxEvent event, JsonNode payload) {
		List<Object> arguments = arguments(payload);
		return this.accounts.staffOfMerchant(payload.get("staffOfMerchant").asLong())
			.concatMap((user) -> this.inbox.notify(event.id(), event.type(), null, arguments, user, null))
			.then();
	}

	private static List<Object> arguments(JsonNode payload) {
		List<Object> arguments = new ArrayList<>();
		for (JsonNode argument : payload.get("arguments")) {
			arguments.add(argument.isNumber() ? argument.asLong() : argument.asString());
		}
		return arguments;
	}

	private Mono<List<?>> balances(HouseholdId household) {
		return this.villages.place(household)
			.flatMap((place) -> this.ledger.balances(household, place.timeZone()).collectList());
	}

}
