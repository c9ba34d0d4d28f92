package org.jifen.api.merchants;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;

/**
 * Signs and reads one-time codes: a 53-byte payload (version, offer, member, household,
 * village, expiry in epoch seconds, 12-byte nonce) followed by the first 16 bytes of its
 * HMAC-SHA256, in base64url: 92 characters, a small QR code. A code whose tag does not
 * match is {@code code-invalid} whatever else it says, so a tampered expiry never reads
 * as {@code code-expired}.
 */
final class CodeSigner {

	private static final byte VERSION = 1;

	private static final int PAYLOAD = 1 + 8 * 5 + RedemptionCode.NONCE_BYTES;

	private static final int TAG = 16;

	private final SecretKeySpec key;

	private final ThreadLocal<Mac> macs;

	CodeSigner(byte[] key) {
		if (key.length < 32) {
			throw new IllegalArgumentException("jifen.merchants.code-key must hold at least 32 bytes");
		}
		this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
		this.macs = ThreadLocal.withInitial(this::mac);
	}

	/** A signer with a key made now: codes die with the process. */
	static CodeSigner generated(SecureRandom random) {
		byte[] key = new byte[32];
		random.nextBytes(key);
		return new CodeSigner(key);
	}

	String sign(RedemptionCode code) {
		ByteBuffer buffer = ByteBuffer.allocate(PAYLOAD + TAG);
		buffer.put(VERSION)
			.putLong(code.offerId())
			.putLong(code.memberId())
			.putLong(code.householdId())
			.putLong(code.villageId())
			.putLong(code.expiresAt().getEpochSecond())
			.put(code.nonce());
		byte[] bytes = buffer.array();
		System.arraycopy(tag(bytes), 0, bytes, PAYLOAD, TAG);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	/**
	 * The code a token carries, if its signature holds and it has not expired at
	 * {@code now}.
	 */
	RedemptionCode read(String token, Instant now) {
		byte[] bytes;
		try {
			bytes = Base64.getUrlDecoder().decode(token.strip());
		}
		catch (IllegalArgumentException ex) {
			throw invalid();
		}
		if (bytes.length != PAYLOAD + TAG || bytes[0] != VERSION) {
			throw invalid();
		}
		if (!MessageDigest.isEqual(tag(bytes), Arrays.copyOfRange(bytes, PAYLOAD, PAYLOAD + TAG))) {
			throw invalid();
		}
		ByteBuffer buffer = ByteBuffer.wrap(bytes, 1, PAYLOAD - 1);
		long offer = buffer.getLong();
		long member = buffer.getLong();
		long household = buffer.getLong();
		long village = buffer.getLong();
		Instant expiresAt = Instant.ofEpochSecond(buffer.getLong());
		byte[] nonce = new byte[RedemptionCode.NONCE_BYTES];
		buffer.get(nonce);
		if (!now.isBefore(expiresAt)) {
			throw new DomainException(Kind.REFUSED, "code-expired",
					"The code expired at " + expiresAt + "; ask the villager to show a new one.",
					java.util.Map.of("expiredAt", expiresAt.toString()));
		}
		return new RedemptionCode(offer, member, household, village, expiresAt, nonce);
	}

	private byte[] tag(byte[] bytes) {
		Mac mac = this.macs.get();
		mac.update(bytes, 0, PAYLOAD);
		return Arrays.copyOf(mac.doFinal(), TAG);
	}

	private Mac mac() {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(this.key);
			return mac;
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is part of every JDK", ex);
		}
	}

	static DomainException invalid() {
		return new DomainException(Kind.REFUSED, "code-invalid", "This is not a valid code of Jifen.");
	}

}
