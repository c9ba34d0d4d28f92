package org.jifen.api.privacy;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Properties;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Service;

/**
 * Seals and opens personal data (phone numbers, ID numbers). The ciphertext is
 * AES-256-GCM with a fresh 12-byte nonce per value; the look-up hash is HMAC-SHA256 over
 * the normalised value, so an exact search needs no decryption and reveals nothing
 * without the key.
 */
@Service
public class PersonalData {

	private static final int NONCE_BYTES = 12;

	private static final int TAG_BITS = 128;

	private final SecretKeySpec encryptionKey;

	private final SecretKeySpec lookupKey;

	private final SecureRandom random;

	PersonalData(PrivacyProperties properties) {
		byte[][] keys = keys(properties);
		this.encryptionKey = new SecretKeySpec(keys[0], "AES");
		this.lookupKey = new SecretKeySpec(keys[1], "HmacSHA256");
		this.random = Randoms.nonBlocking();
	}

	/** Seals a value, or returns null for a missing one. */
	public @Nullable Sealed seal(@Nullable String value) {
		if (value == null || value.isBlank()) {
			return null;
		}
		String normalised = normalise(value);
		try {
			byte[] nonce = new byte[NONCE_BYTES];
			this.random.nextBytes(nonce);
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.ENCRYPT_MODE, this.encryptionKey, new GCMParameterSpec(TAG_BITS, nonce));
			byte[] sealed = cipher.doFinal(normalised.getBytes(StandardCharsets.UTF_8));
			return new Sealed(ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array(),
					lookup(normalised));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Could not seal personal data", ex);
		}
	}

	public @Nullable String open(byte @Nullable [] sealed) {
		if (sealed == null) {
			return null;
		}
		try {
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.DECRYPT_MODE, this.encryptionKey,
					new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
			return new String(cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES), StandardCharsets.UTF_8);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Could not open personal data: wrong key or altered data", ex);
		}
	}

	/** The look-up hash of a value, to find rows holding it. */
	public byte[] lookup(String value) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(this.lookupKey);
			return mac.doFinal(normalise(value).getBytes(StandardCharsets.UTF_8));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Could not hash personal data", ex);
		}
	}

	private static String normalise(String value) {
		return value.replaceAll("[\\s-]", "").toUpperCase(java.util.Locale.ROOT);
	}

	private static byte[][] keys(PrivacyProperties properties) {
		if (properties.encryptionKey() != null && properties.lookupKey() != null) {
			return new byte[][] { decode(properties.encryptionKey()), decode(properties.lookupKey()) };
		}
		if (properties.keyFile() != null) {
			return fromKeyFile(Path.of(properties.keyFile()));
		}
		throw new IllegalStateException("Personal data needs keys: set JIFEN_PRIVACY_ENCRYPTION_KEY and "
				+ "JIFEN_PRIVACY_LOOKUP_KEY (base64 of 32 random bytes each), or JIFEN_PRIVACY_KEY_FILE");
	}

	private static byte[][] fromKeyFile(Path file) {
		try {
			Properties keys = new Properties();
			String text;
			if (Files.exists(file)) {
				text = Files.readString(file);
			}
			else {
				SecureRandom random = new SecureRandom();
				Properties fresh = new Properties();
				fresh.setProperty("encryption-key", Base64.getEncoder().encodeToString(random.generateSeed(32)));
				fresh.setProperty("lookup-key", Base64.getEncoder().encodeToString(random.generateSeed(32)));
				StringWriter writer = new StringWriter();
				fresh.store(writer, "Jifen personal-data keys, generated on first start. Losing them loses the data.");
				text = KeyFiles.createOrRead(file, writer.toString());
			}
			keys.load(new StringReader(text));
			return new byte[][] { decode(keys.getProperty("encryption-key")), decode(keys.getProperty("lookup-key")) };
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not read or write the personal-data key file " + file, ex);
		}
	}

	private static byte[] decode(String key) {
		byte[] bytes = Base64.getDecoder().decode(key.strip());
		if (bytes.length != 32) {
			throw new IllegalStateException("A personal-data key must be 32 bytes (base64 of 32 random bytes)");
		}
		return bytes;
	}

}
