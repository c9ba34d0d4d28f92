package org.jifen.api.identity;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * A role held for one region (village, town or county) or, for merchant staff, one
 * merchant. In tokens it is written {@code ROLE:regionId} or
 * {@code MERCHANT_STAFF:m<merchantId>}.
 */
public record Grant(Role role, @Nullable Long regionId, @Nullable Long merchantId) {

	public Grant {
		if ((role == Role.MERCHANT_STAFF) != (merchantId != null) || (merchantId == null) == (regionId == null)) {
			throw new IllegalArgumentException(
					"Merchant staff is granted for a merchant, every other role for a region");
		}
	}

	public static Grant inRegion(Role role, long regionId) {
		return new Grant(role, regionId, null);
	}

	public static Grant atMerchant(long merchantId) {
		return new Grant(Role.MERCHANT_STAFF, null, merchantId);
	}

	public String toClaim() {
		return this.role.name() + ":" + ((this.merchantId != null) ? "m" + this.merchantId : this.regionId);
	}

	/** Reads a claim; throws {@link IllegalArgumentException} on anything malformed. */
	public static Grant fromClaim(String claim) {
		int colon = claim.indexOf(':');
		if (colon < 0) {
			throw new IllegalArgumentException("Not a grant: " + claim);
		}
		Role role = Role.valueOf(claim.substring(0, colon).toUpperCase(Locale.ROOT));
		String scope = claim.substring(colon + 1);
		return scope.startsWith("m") ? new Grant(role, null, Long.parseLong(scope.substring(1)))
				: new Grant(role, Long.parseLong(scope), null);
	}

}
