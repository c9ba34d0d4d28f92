package org.jifen.api.privacy;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Secure randomness that never reads from the operating system once seeded, so it is safe
 * on an event loop (the default NativePRNG reads /dev/urandom on every call).
 */
public final class Randoms {

	private Randoms() {
	}

	/** A DRBG seeded now, on the calling (start-up) thread. */
	public static SecureRandom nonBlocking() {
		try {
			SecureRandom random = SecureRandom.getInstance("DRBG");
			random.nextBytes(new byte[16]);
			return random;
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("DRBG is part of every JDK since 9", ex);
		}
	}

}
