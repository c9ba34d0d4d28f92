package org.jifen.api.ledger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/**
 * The hash chain of a village's journal: each transaction's hash is SHA-256 over the
 * previous hash and the transaction's canonical content (seq, type, memo, request id,
 * time in microseconds, its entries ordered by account, and its category if it has one).
 * Change any of it and every later hash stops matching.
 */
final class JournalHash {

	static final byte[] GENESIS = new byte[32];

	private JournalHash() {
	}

	/** One entry as hashed. */
	record Line(long accountId, long amount, long scoreDelta) {
	}

	static byte[] of(byte[] previous, long seq, String type, String memo, @Nullable String requestId,
			Instant occurredAt, List<Line> lines, @Nullable String category) {
		String entries = lines.stream()
			.sorted(Comparator.comparingLong(Line::accountId)
				.thenComparingLong(Line::amount)
				.thenComparingLong(Line::scoreDelta))
			.map((line) -> line.accountId() + ":" + line.amount() + ":" + line.scoreDelta())
			.collect(Collectors.joining(","));
		String canonical = "v1|" + seq + "|" + type + "|" + memo + "|" + ((requestId != null) ? requestId : "") + "|"
				+ ChronoUnit.MICROS.between(Instant.EPOCH, occurredAt) + "|" + entries
				// Appended only when present, so transactions without one hash as they
				// always did.
				+ ((category != null) ? "|category:" + category : "");
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			digest.update(previous);
			return digest.digest(canonical.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is part of every JDK", ex);
		}
	}

	static String hex(byte[] hash) {
		return HexFormat.of().formatHex(hash);
	}

}
