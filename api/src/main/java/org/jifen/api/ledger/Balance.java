package org.jifen.api.ledger;

/** One account's figures: score ranks, available can be spent. */
public record Balance(String kindCode, String kindName, long score, long available) {
}
