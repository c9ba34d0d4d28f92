package org.jifen.api.privacy;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the personal-data keys come from: base64 keys from configuration in production,
 * or a key file that is generated on first start (the embedded default and tests).
 *
 * @param encryptionKey base64 of 32 bytes, the AES-256-GCM key
 * @param lookupKey base64 of 32 bytes, the HMAC-SHA256 key of the look-up hashes
 * @param keyFile a properties file holding both, generated when missing
 */
@ConfigurationProperties("jifen.privacy")
record PrivacyProperties(@Nullable String encryptionKey, @Nullable String lookupKey, @Nullable String keyFile) {
}
