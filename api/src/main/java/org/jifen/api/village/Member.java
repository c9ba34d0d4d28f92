package org.jifen.api.village;

import org.jspecify.annotations.Nullable;

/**
 * A person in a household, with their relation to the head (户主, 配偶, 子女 …). Phone and ID
 * number are personal data: sealed at rest, and only ever shown masked.
 */
public record Member(MemberId id, HouseholdId householdId, String name, String relation, @Nullable Integer birthYear,
		@Nullable String phone, @Nullable String idNumber) {
}
