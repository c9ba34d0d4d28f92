package org.jifen.api.donations;

/**
 * A village's rules for donations: caps per donor household per day and per month (in the
 * village's time zone), the smallest gift, and whether only households on the assistance
 * list (困难户) may receive.
 */
public record DonationPolicy(long dailyCap, long monthlyCap, long minimum, boolean assistanceListOnly) {

	/** Until a village sets its own. */
	static final DonationPolicy DEFAULT = new DonationPolicy(100, 500, 1, false);

}
