package org.jifen.api.ledger;

/**
 * A posting as the journal recorded it: its place in the village's chain and its hash.
 */
public record Posted(long transactionId, long seq, String hash) {
}
