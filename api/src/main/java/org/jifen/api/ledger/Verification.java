package org.jifen.api.ledger;

import org.jspecify.annotations.Nullable;

/**
 * The result of checking a village's journal: every transaction sums to zero, the hash
 * chain is intact, and every stored balance equals the sum of its entries.
 * {@code firstBroken} names the first problem found.
 */
public record Verification(boolean intact, long transactions, long accounts, @Nullable Broken firstBroken) {

	/** Where the journal stops adding up: a transaction (by seq) or an account. */
	public record Broken(@Nullable Long seq, @Nullable Long transactionId, @Nullable Long accountId, String reason) {
	}

}
