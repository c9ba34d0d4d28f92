package org.jifen.api.ledger;

/**
 * The village's own accounts that stand on the other side of every movement: awards come
 * from issuance, spent points go to the sink, task rewards wait in escrow, merchant
 * redemptions gather in settlement.
 */
public enum SystemRole {

	ISSUANCE, SINK, ESCROW, MERCHANT_SETTLEMENT

}
