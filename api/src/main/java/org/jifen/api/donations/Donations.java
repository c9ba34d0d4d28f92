package org.jifen.api.donations;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.audit.AuditTrail;
import org.jifen.api.identity.Access;
import org.jifen.api.identity.Caller;
import org.jifen.api.donations.DonationRepository.Giver;
import org.jifen.api.donations.DonationRepository.Receiver;
import org.jifen.api.ledger.AccountRef;
import org.jifen.api.ledger.Ledger;
import org.jifen.api.ledger.PointKind;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.ledger.Posting;
import org.jifen.api.outbox.Outbox;
import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.jifen.api.shared.Masking;
import org.jifen.api.village.Household;
import org.jifen.api.village.HouseholdId;
import org.jifen.api.village.HouseholdPlace;
import org.jifen.api.village.MemberHome;
import org.jifen.api.village.MemberId;
import org.jifen.api.village.RegionId;
import org.jifen.api.village.Villages;
import org.jifen.api.web.CursorPage;
import org.jifen.api.web.PageRequest;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Donations between households of one village. A gift is one transaction: the donor's
 * household is locked against its other gifts, the policy is checked (caps per day and
 * month in the village's time zone, minimum, the assistance list), the ledger moves
 * available points (refusing an overdraft), the gift is recorded, and both households are
 * told through the outbox.
 */
@Service
public class Donations {

	private final DonationRepository repository;

	private final Villages villages;

	private final Access access;

	private final Ledger ledger;

	private final PointKinds kinds;

	private final Outbox outbox;

	private final AuditTrail auditTrail;

	private final Clock clock;

	Donations(DonationRepository repository, Villages villages, Access access, Ledger ledger, PointKinds kinds,
			Outbox outbox, AuditTrail auditTrail, Clock clock) {
		this.repository = repository;
		this.villages = villages;
		this.access = access;
		this.ledger = ledger;
		this.kinds = kinds;
		this.outbox = outbox;
		this.auditTrail = auditTrail;
		this.clock = clock;
	}

	/**
	 * The caller's household (or, for a member-owned kind, the caller) gives points to
	 * another household (or member). {@code requestId} (from the Idempotency-Key) makes a
	 * retried gift the same gift.
	 */
	@Transactional
	public Mono<Donation> donate(Caller caller, RegionId village, NewDonation gift, @Nullable String requestId) {
		if (caller.memberId() == null) {
			return Mono.error(refused("donor-not-a-villager", "Only a member of a household gives points.", Map.of()));
		}
		return this.access.requireRead(caller, village)
			.then(this.villages.memberHome(new MemberId(caller.memberId())))
			.zipWith(kind(village, gift.kind()))
			.flatMap((donorAndKind) -> {
				MemberHome donor = donorAndKind.getT1();
				PointKind kind = donorAndKind.getT2();
				boolean byMember = kind.owner() == PointKind.Owner.MEMBER;
				Giver giver = new Giver(donor.householdId(), caller.userId(),
						byMember ? donor.memberId().value() : null);
				return receiver(gift, byMember).flatMap((receiver) -> {
					if (receiver.household().equals(donor.householdId())) {
						return Mono
							.error(refused("same-household", "Points cannot be given within one's own household.",
									Map.of("householdId", receiver.household().value())));
					}
					if (!donor.villageId().equals(village)) {
						return Mono.error(refused("recipient-not-eligible", "You give within your own village.",
								Map.of("villageId", village.value())));
					}
					return this.villages.place(receiver.household())
						.flatMap((place) -> this.repository.lockDonor(donor.householdId().value())
							.then(this.repository.policy(village.value()))
							.flatMap((policy) -> allowed(policy, donor.householdId(), place, village, gift))
							.then(Mono.defer(() -> give(giver, receiver, place, kind, gift, requestId))));
				});
			});
	}

	/** The household (and member, for member-owned kinds) the gift is for. */
	private Mono<Receiver> receiver(NewDonation gift, boolean toMember) {
		if (toMember) {
			if (gift.recipientMemberId() == null) {
				return Mono.error(new DomainException(Kind.MALFORMED, "recipient-member-required",
						"Points of a member-owned kind are given to a member: name recipientMemberId."));
			}
			return this.villages.memberHome(new MemberId(gift.recipientMemberId()))
				.map((home) -> new Receiver(home.householdId(), home.memberId().value()));
		}
		if (gift.recipientHouseholdId() == null) {
			return Mono.error(new DomainException(Kind.MALFORMED, "recipient-household-required",
					"Name the household the points are for: recipientHouseholdId."));
		}
		return Mono.just(new Receiver(new HouseholdId(gift.recipientHouseholdId()), null));
	}

	private Mono<Donation> give(Giver giver, Receiver receiver, HouseholdPlace place, PointKind kind, NewDonation gift,
			@Nullable String requestId) {
		String memo = "爱心捐赠" + ((gift.message() != null) ? "：" + gift.message() : "");
		AccountRef from = (giver.memberId() != null) ? new AccountRef.Member(new MemberId(giver.memberId()))
				: AccountRef.household(giver.household());
		AccountRef to = (receiver.memberId() != null) ? new AccountRef.Member(new MemberId(receiver.memberId()))
				: AccountRef.household(receiver.household());
		Posting posting = Posting.transfer(place.village(), kind.id(), from, to, gift.points(), memo,
				(requestId != null) ? "donation-" + giver.userId() + "-" + requestId : null);
		Instant now = this.clock.instant();
		return this.ledger.post(posting)
			.flatMap((posted) -> this.repository.insert(place.village().value(), giver, receiver, kind.id(),
					gift.points(), gift.message(), gift.anonymous(), posted.transactionId(), now))
			.flatMap((donation) -> announce(donation).thenReturn(donation));
	}

	/**
	 * Both households hear of it; the recipient sees the donor unless they gave
	 * anonymously.
	 */
	private Mono<Void> announce(Donation donation) {
		return Mono
			.zip(this.villages.household(new HouseholdId(donation.donorHouseholdId())),
					this.villages.household(new HouseholdId(donation.recipientHouseholdId())))
			.flatMap((both) -> {
				String donorName = donation.anonymous() ? "爱心人士" : Masking.name(both.getT1().headName());
				String recipientName = Masking.name(both.getT2().headName());
				RegionId village = new RegionId(donation.villageId());
				return this.outbox
					.append("donation.received", village,
							Map.of("donationId", donation.id(), "householdId", donation.recipientHouseholdId(),
									"arguments", List.of(donorName, donation.points())))
					.then(this.outbox.append("donation.sent", village,
							Map.of("donationId", donation.id(), "householdId", donation.donorHouseholdId(), "arguments",
									List.of(recipientName, donation.points()))))
					.then();
			});
	}

	private Mono<PointKind> kind(RegionId village, @Nullable String code) {
		Mono<PointKind> kind = this.kinds.kindOrDefault(village, code);
		return kind.flatMap(
				(found) -> found.transferable() ? Mono.just(found) : Mono.error(refused("point-kind-not-transferable",
						"Points of " + found.code() + " cannot be given.", Map.of("kind", found.code()))));
	}

	/** The village's policy, checked with the donor's earlier gifts locked in place. */
	private Mono<Void> allowed(DonationPolicy policy, HouseholdId donor, HouseholdPlace recipient, RegionId village,
			NewDonation gift) {
		if (!recipient.village().equals(village)) {
			return Mono.error(refused("recipient-not-eligible", "The household is not of your village.",
					Map.of("householdId", recipient.household().value())));
		}
		if (gift.points() < policy.minimum()) {
			return Mono.error(
					refused("donation-below-minimum", "The village's smallest gift is " + policy.minimum() + " points.",
							Map.of("minimum", policy.minimum())));
		}
		Mono<Void> eligible = policy.assistanceListOnly() ? this.repository.listed(recipient.household().value())
			.flatMap((listed) -> listed ? Mono.<Void>empty()
					: Mono.error(refused("recipient-not-eligible",
							"This village gives only to households on its assistance list.",
							Map.of("householdId", recipient.household().value()))))
				: Mono.empty();
		LocalDate today = LocalDate.now(this.clock.withZone(recipient.timeZone()));
		Instant dayStart = today.atStartOfDay(recipient.timeZone()).toInstant();
		Instant monthStart = today.withDayOfMonth(1).atStartOfDay(recipient.timeZone()).toInstant();
		return eligible.then(this.repository.givenSince(donor.value(), dayStart)
			.zipWith(this.repository.givenSince(donor.value(), monthStart))
			.flatMap((given) -> {
				long leftToday = Math.max(0, policy.dailyCap() - given.getT1());
				long leftThisMonth = Math.max(0, policy.monthlyCap() - given.getT2());
				if (gift.points() > leftToday || gift.points() > leftThisMonth) {
					return Mono.error(refused("donation-cap-reached",
							"The village allows " + policy.dailyCap() + " points a day and " + policy.monthlyCap()
									+ " a month; " + Math.min(leftToday, leftThisMonth) + " left.",
							Map.of("leftToday", leftToday, "leftThisMonth", leftThisMonth, "dailyCap",
									policy.dailyCap(), "monthlyCap", policy.monthlyCap())));
				}
				return Mono.empty();
			}));
	}

	/**
	 * Gifts a household received, newest first; the donor is hidden where they chose so,
	 * except from admins.
	 */
	public Mono<CursorPage<DonationLine>> received(HouseholdId household, PageRequest page) {
		return lines(household, page, true);
	}

	public Mono<CursorPage<DonationLine>> given(HouseholdId household, PageRequest page) {
		return lines(household, page, false);
	}

	private Mono<CursorPage<DonationLine>> lines(HouseholdId household, PageRequest page, boolean received) {
		long before = (page.afterId() == 0) ? Long.MAX_VALUE : page.afterId();
		return this.villages.place(household)
			.flatMap((place) -> this.access.requireRead(place)
				.flatMap((caller) -> this.access.oversees(caller, place.village())
					.flatMap((oversees) -> oversees ? Mono.just(true) : ownHousehold(caller, household)
						.flatMap((own) -> own ? Mono.just(false)
								: Mono.error(new DomainException(Kind.FORBIDDEN, "forbidden",
										"A household's gifts are seen by its members and the village's officials.")))))
				.flatMap((oversees) -> (received ? this.repository.received(household.value(), before, page.fetchSize())
						: this.repository.given(household.value(), before, page.fetchSize()))
					.concatMap((donation) -> line(donation, received, oversees))
					.collectList()))
			.map((rows) -> CursorPage.of(rows, page, DonationLine::id));
	}

	private Mono<Boolean> ownHousehold(Caller caller, HouseholdId household) {
		return (caller.memberId() == null) ? Mono.just(false)
				: this.villages.memberHome(new MemberId(caller.memberId()))
					.map((home) -> home.householdId().equals(household));
	}

	private Mono<DonationLine> line(Donation donation, boolean received, boolean oversees) {
		long other = received ? donation.donorHouseholdId() : donation.recipientHouseholdId();
		boolean hidden = received && donation.anonymous() && !oversees;
		Mono<Household> otherHousehold = this.villages.household(new HouseholdId(other));
		return otherHousehold.map((household) -> new DonationLine(donation.id(), donation.points(), donation.message(),
				donation.anonymous(), hidden ? null : household.id().value(),
				hidden ? "匿名" : (oversees ? household.headName() : Masking.name(household.headName())),
				donation.donatedAt()));
	}

	public Mono<DonationPolicy> policy(RegionId village) {
		return this.access.requireRead(village)
			.then(this.villages.village(village))
			.then(this.repository.policy(village.value()));
	}

	@Transactional
	public Mono<DonationPolicy> savePolicy(Caller caller, RegionId village, DonationPolicy policy) {
		return this.access.requireAdmin(caller, village)
			.then(this.villages.village(village))
			.then(this.repository.policy(village.value()))
			.flatMap((before) -> this.repository.savePolicy(village.value(), policy)
				.then(this.auditTrail.record(caller.actor(), village.value(), "donation-policy.changed",
						"village:" + village.value(), policyMap(before), policyMap(policy))))
			.thenReturn(policy);
	}

	/**
	 * The caller, if they administer the household's village (checked before reading a
	 * body).
	 */
	public Mono<Caller> adminOf(HouseholdId household) {
		return this.villages.place(household).flatMap((place) -> this.access.requireAdmin(place.village()));
	}

	/** Puts a household on the village's assistance list (困难户), or takes it off. */
	@Transactional
	public Mono<Void> assistance(Caller caller, HouseholdId household, @Nullable String reason) {
		return this.villages.place(household)
			.flatMap(
					(place) -> this.access.requireAdmin(caller, place.village())
						.then((reason != null) ? this.repository.list(place.village().value(), household.value(),
								reason, caller.userId()) : this.repository.unlist(household.value()).then())
						.then(this.auditTrail.record(caller.actor(), place.village().value(),
								(reason != null) ? "assistance-list.added" : "assistance-list.removed",
								"household:" + household.value(), null,
								(reason != null) ? Map.of("reason", reason) : null)));
	}

	/**
	 * Patterns that look like collusion in the last {@code days}: pairs passing points
	 * back and forth, and rings. Flagged for supervisors, never blocked.
	 */
	public Mono<List<Signal>> signals(RegionId village, int days) {
		Instant since = this.clock.instant().minus(Duration.ofDays(days));
		return this.access.requireOversight(village)
			.thenMany(this.repository.cycles(village.value(), since))
			.concatMap((cycle) -> Flux.range(0, cycle.size())
				.concatMap((i) -> this.repository.between(cycle.get(i), cycle.get((i + 1) % cycle.size()), since))
				.collectList()
				.map((flows) -> new Signal((cycle.size() == 2) ? "PAIR" : "RING", cycle, flows)))
			.collectList();
	}

	private static Map<String, Object> policyMap(DonationPolicy policy) {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("dailyCap", policy.dailyCap());
		map.put("monthlyCap", policy.monthlyCap());
		map.put("minimum", policy.minimum());
		map.put("assistanceListOnly", policy.assistanceListOnly());
		return map;
	}

	private static DomainException refused(String type, String message, Map<String, Object> arguments) {
		return new DomainException(Kind.REFUSED, type, message, new LinkedHashMap<>(arguments));
	}

	/**
	 * A gift to make. {@code kind} is a point kind code; the village's default if absent.
	 */
	public record NewDonation(@Nullable Long recipientHouseholdId, @Nullable Long recipientMemberId, long points,
			@Nullable String message, boolean anonymous, @Nullable String kind) {
	}

	/** A gift as a household's thread shows it. */
	public record DonationLine(long id, long points, @Nullable String message, boolean anonymous,
			@Nullable Long otherHouseholdId, String otherName, Instant at) {
	}

	/**
	 * A cycle of giving: households in order, and the points that flowed from each to the
	 * next.
	 */
	public record Signal(String pattern, List<Long> households, List<Long> points) {

		public Signal {
			households = List.copyOf(households);
			points = new ArrayList<>(points);
		}

	}

}
