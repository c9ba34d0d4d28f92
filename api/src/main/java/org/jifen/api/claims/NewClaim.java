package org.jifen.api.claims;

import org.jspecify.annotations.Nullable;

/**
 * A claim as submitted: which household, which catalog item (by code; the current version
 * is used), where it comes from and what happened. An admin may submit for a villager
 * without a smartphone (代办) by naming them.
 */
public record NewClaim(long householdId, String itemCode, Claim.Source source, String description,
		@Nullable Long onBehalfOfMemberId) {
}
