package org.jifen.notifications.sms;

/**
 * Phone numbers as they may appear in logs.
 */
final class PhoneNumbers {

	private PhoneNumbers() {
	}

	/**
	 * Keeps the first three and last four characters of a mobile number
	 * ({@code 138****1234}), enough to tell numbers apart in a log without revealing one;
	 * shorter numbers keep only their last two.
	 */
	static String mask(String phoneNumber) {
		String number = phoneNumber.strip();
		if (number.length() >= 11) {
			return number.substring(0, 3) + "****" + number.substring(number.length() - 4);
		}
		if (number.length() >= 6) {
			return "****" + number.substring(number.length() - 2);
		}
		return "****";
	}

}
