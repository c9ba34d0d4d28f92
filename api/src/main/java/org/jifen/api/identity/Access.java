package org.jifen.api.identity;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.jifen.api.shared.Actor;
import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.jifen.api.village.MemberId;
import org.jifen.api.village.HouseholdPlace;
import org.jifen.api.village.RegionId;
import org.jifen.api.village.Villages;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.stereotype.Service;

/**
 * What the caller may touch. A role held for a region covers that region and everything
 * below it: a town admin administers every village of the town; a village admin of one
 * village can neither read nor change another.
 */
@Service
public class Access {

	private final Villages villages;

	private final CallerResolver callers;

	Access(Villages villages, CallerResolver callers) {
		this.villages = villages;
		this.callers = callers;
	}

	/** The signed-in caller; a 401 problem when there is none. */
	public Mono<Caller> caller() {
		return ReactiveSecurityContextHolder.getContext()
			.mapNotNull((context) -> context.getAuthentication())
			.flatMap(this.callers::resolve)
			.switchIfEmpty(
					Mono.error(() -> new DomainException(Kind.UNAUTHENTICATED, "unauthenticated", "Sign in first.")));
	}

	/**
	 * Anyone holding a role in the region or above it (villagers, reviewers, admins,
	 * supervisors).
	 */
	public Mono<Caller> requireRead(RegionId region) {
		return require(region, (grant) -> grant.role() != Role.MERCHANT_STAFF);
	}

	/**
	 * {@link #requireRead(RegionId)} for a household whose place is already read (no
	 * further query).
	 */
	public Mono<Caller> requireRead(HouseholdPlace place) {
		return caller()
			.flatMap((caller) -> covers(caller, place.ancestry(), (grant) -> grant.role() != Role.MERCHANT_STAFF)
					? Mono.just(caller) : Mono.error(forbidden(place.village())));
	}

	/** Village, town or county admins of the region or above it. */
	public Mono<Caller> requireAdmin(RegionId region) {
		return require(region, (grant) -> grant.role().administers());
	}

	/** Reviewers and admins of the region or above it: those who decide claims. */
	public Mono<Caller> requireReviewer(RegionId region) {
		return caller().flatMap((caller) -> requireReviewer(caller, region));
	}

	public Mono<Caller> requireReviewer(Caller caller, RegionId region) {
		return require(caller, region, (grant) -> grant.role().administers() || grant.role() == Role.REVIEWER);
	}

	/** {@link #requireRead(RegionId)} for a caller already known (service code). */
	public Mono<Caller> requireRead(Caller caller, RegionId region) {
		return require(caller, region, (grant) -> grant.role() != Role.MERCHANT_STAFF);
	}

	/** {@link #requireAdmin(RegionId)} for a caller already known (service code). */
	public Mono<Caller> requireAdmin(Caller caller, RegionId region) {
		return require(caller, region, (grant) -> grant.role().administers());
	}

	/**
	 * Admins and supervisors of the region or above it: those who read the audit trail.
	 */
	public Mono<Caller> requireOversight(RegionId region) {
		return require(region, (grant) -> grant.role().administers() || grant.role() == Role.SUPERVISOR);
	}

	/** Staff of the merchant (a grant {@code MERCHANT_STAFF:m<merchantId>}). */
	public Mono<Caller> requireMerchantStaff(long merchantId) {
		return caller().flatMap((caller) -> isMerchantStaff(caller, merchantId) ? Mono.just(caller)
				: Mono.error(new DomainException(Kind.FORBIDDEN, "forbidden",
						"You are not staff of merchant " + merchantId + ".", Map.of("merchantId", merchantId))));
	}

	public boolean isMerchantStaff(Caller caller, long merchantId) {
		return caller.grants()
			.stream()
			.anyMatch((grant) -> grant.role() == Role.MERCHANT_STAFF
					&& Long.valueOf(merchantId).equals(grant.merchantId()));
	}

	/** Whether the caller oversees the region (and so may see full names). */
	public Mono<Boolean> oversees(Caller caller, RegionId region) {
		return this.villages.ancestry(region)
			.map((ancestry) -> covers(caller, ancestry,
					(grant) -> grant.role().administers() || grant.role() == Role.SUPERVISOR));
	}

	/**
	 * The actor of a change. With {@code onBehalfOfMemberId} an admin acts for a villager
	 * without a smartphone (代办): allowed only to admins of the member's village, and
	 * recorded with both.
	 */
	public Mono<Actor> actor(Caller caller, @Nullable Long onBehalfOfMemberId) {
		if (onBehalfOfMemberId == null) {
			return Mono.just(caller.actor());
		}
		return this.villages.memberHome(new MemberId(onBehalfOfMemberId))
			.flatMap((home) -> this.villages.ancestry(home.villageId()))
			.flatMap((ancestry) -> covers(caller, ancestry, (grant) -> grant.role().administers())
					? Mono.just(new Actor(caller.userId(), onBehalfOfMemberId))
					: Mono.error(new DomainException(Kind.FORBIDDEN, "forbidden",
							"Only an admin of the member's village may act on their behalf.",
							Map.of("memberId", onBehalfOfMemberId))));
	}

	private Mono<Caller> require(RegionId region, Predicate<Grant> kind) {
		return caller().flatMap((caller) -> require(caller, region, kind));
	}

	private Mono<Caller> require(Caller caller, RegionId region, Predicate<Grant> kind) {
		return this.villages.ancestry(region)
			.flatMap((ancestry) -> covers(caller, ancestry, kind) ? Mono.just(caller) : Mono.error(forbidden(region)));
	}

	private static DomainException forbidden(RegionId region) {
		return new DomainException(Kind.FORBIDDEN, "forbidden",
				"You hold no role that covers region " + region.value() + ".", Map.of("regionId", region.value()));
	}

	private static boolean covers(Caller caller, List<RegionId> ancestry, Predicate<Grant> kind) {
		return caller.grants()
			.stream()
			.filter(kind)
			.anyMatch((grant) -> grant.regionId() != null && ancestry.contains(new RegionId(grant.regionId())));
	}

}
