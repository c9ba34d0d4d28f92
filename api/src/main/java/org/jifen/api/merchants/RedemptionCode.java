package org.jifen.api.merchants;

import java.time.Instant;
import java.util.HexFormat;

/**
 * What a one-time code says: this member of this household and village may use this offer
 * once before {@code expiresAt}. The nonce makes each code distinct and is what single
 * use is settled on.
 */
record RedemptionCode(long offerId, long memberId, long householdId, long villageId, Instant expiresAt, byte[] nonce) {

	static final int NONCE_BYTES = 12;

	String nonceHex() {
		return HexFormat.of().formatHex(this.nonce);
	}

}
