package org.jifen.api.identity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.RSAKey;

import org.jifen.api.privacy.KeyFiles;

/**
 * The RSA key our tokens are signed with. Production passes it in configuration; the
 * embedded default and tests keep a generated one in a file, so tokens survive a restart.
 */
final class SigningKey {

	private SigningKey() {
	}

	static RSAKey load(IdentityProperties.Jwt settings) {
		try {
			if (settings.privateKey() != null && !settings.privateKey().isBlank()) {
				return rsaKey(fromPem(settings.privateKey()));
			}
			if (settings.keyFile() != null) {
				Path file = Path.of(settings.keyFile());
				String pem = Files.exists(file) ? Files.readString(file, StandardCharsets.US_ASCII)
						: KeyFiles.createOrRead(file, generatePem());
				return rsaKey(fromPem(pem));
			}
		}
		catch (IOException | GeneralSecurityException | JOSEException ex) {
			throw new IllegalStateException("Could not load the token signing key", ex);
		}
		throw new IllegalStateException("Tokens need a signing key: set JIFEN_IDENTITY_JWT_PRIVATE_KEY (a PKCS#8 PEM "
				+ "RSA key) or JIFEN_IDENTITY_JWT_KEY_FILE (generated when missing)");
	}

	private static String generatePem() throws GeneralSecurityException {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
		generator.initialize(2048);
		KeyPair pair = generator.generateKeyPair();
		return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
			.encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
	}

	private static RSAPrivateCrtKey fromPem(String pem) throws GeneralSecurityException {
		String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
		return (RSAPrivateCrtKey) KeyFactory.getInstance("RSA")
			.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
	}

	private static RSAKey rsaKey(RSAPrivateCrtKey privateKey) throws GeneralSecurityException, JOSEException {
		RSAPublicKey publicKey = (RSAPublicKey) KeyFactory.getInstance("RSA")
			.generatePublic(new RSAPublicKeySpec(privateKey.getModulus(), privateKey.getPublicExponent()));
		RSAKey key = new RSAKey.Builder(publicKey).privateKey(privateKey).build();
		return new RSAKey.Builder(key).keyID(key.computeThumbprint().toString().substring(0, 16)).build();
	}

}
