package org.jifen.api.village;

/** Where a member belongs: their household and village. */
public record MemberHome(MemberId memberId, HouseholdId householdId, RegionId villageId, String name) {
}
