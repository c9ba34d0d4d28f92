package org.jifen.api.ledger;

/**
 * One account's figures: score ranks, available can be spent; and the score earned this
 * month, quarter and year in the village's time zone.
 */
public record Balance(String kindCode, String kindName, long score, long available, long month, long quarter,
		long year) {
}
