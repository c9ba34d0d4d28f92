package org.jifen.api.privacy;

/**
 * A sealed value: the AES-GCM ciphertext (nonce first) and the keyed hash used to find
 * it.
 */
public record Sealed(byte[] cipher, byte[] lookup) {
}
