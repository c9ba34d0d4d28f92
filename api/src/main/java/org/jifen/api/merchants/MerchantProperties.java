package org.jifen.api.merchants;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of merchant checkout.
 *
 * @param codeKey base64 HMAC key (at least 32 bytes) that signs one-time codes; without
 * it a key is generated at start, which only suits one instance (the embedded default,
 * tests)
 * @param codeValidity how long a code shown on the phone stays valid
 * @param holdTimeout how long held points wait for the till to confirm before they are
 * released
 * @param reversalWindow how long after confirming a merchant may reverse a redemption
 * @param fallbackAttempts failed 6-digit attempts allowed per merchant (and per typed
 * code) within {@code fallbackWindow} before typing is locked
 * @param fallbackWindow the window of those attempts, and how long the lock lasts
 */
@ConfigurationProperties("jifen.merchants")
record MerchantProperties(@Nullable String codeKey, @DefaultValue("120s") Duration codeValidity,
		@DefaultValue("5m") Duration holdTimeout, @DefaultValue("24h") Duration reversalWindow,
		@DefaultValue("5") int fallbackAttempts, @DefaultValue("10m") Duration fallbackWindow,
		@DefaultValue("PT30S") Duration voidInterval) {
}
