package org.jifen.api.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.UUID;

import org.jifen.api.privacy.Randoms;

/**
 * One-time secrets (refresh tokens, invite codes): made from a seeded DRBG, stored only
 * as their SHA-256.
 */
final class Secrets {

	/** No 0/O or 1/I/L: codes are read aloud and typed by villagers. */
	private static final String INVITE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

	private static final SecureRandom RANDOM = Randoms.nonBlocking();

	private Secrets() {
	}

	static String refreshToken() {
		byte[] bytes = new byte[32];
		RANDOM.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	/**
	 * A random UUID without the blocking default SecureRandom behind UUID.randomUUID().
	 */
	static UUID familyId() {
		return new UUID(RANDOM.nextLong(), RANDOM.nextLong());
	}

	static String inviteCode() {
		StringBuilder code = new StringBuilder();
		for (int i = 0; i < 8; i++) {
			code.append(INVITE_ALPHABET.charAt(RANDOM.nextInt(INVITE_ALPHABET.length())));
		}
		return code.toString();
	}

	static byte[] hash(String secret) {
		try {
			return MessageDigest.getInstance("SHA-256")
				.digest(secret.strip().toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is part of every JDK", ex);
		}
	}

}
