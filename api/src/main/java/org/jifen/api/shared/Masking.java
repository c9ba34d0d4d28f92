package org.jifen.api.shared;

/**
 * Masked forms of personal data for lists and public boards: 张*明, 138****0000.
 */
public final class Masking {

	private Masking() {
	}

	/** Keeps the first and last character of a name: 张三 → 张*, 张小明 → 张*明, 欧阳小明 → 欧**明. */
	public static String name(String name) {
		int[] chars = name.strip().codePoints().toArray();
		if (chars.length <= 1) {
			return name.strip();
		}
		if (chars.length == 2) {
			return new String(chars, 0, 1) + "*";
		}
		return new String(chars, 0, 1) + "*".repeat(chars.length - 2) + new String(chars, chars.length - 1, 1);
	}

	/** Keeps the first three and last four digits of a phone number: 138****0000. */
	public static String phone(String phone) {
		String digits = phone.strip();
		if (digits.length() < 8) {
			return "*".repeat(digits.length());
		}
		return digits.substring(0, 3) + "*".repeat(digits.length() - 7) + digits.substring(digits.length() - 4);
	}

	/**
	 * Keeps the region prefix and the last four characters of an ID number:
	 * 370302********1234.
	 */
	public static String idNumber(String idNumber) {
		String value = idNumber.strip();
		if (value.length() < 11) {
			return "*".repeat(value.length());
		}
		return value.substring(0, 6) + "*".repeat(value.length() - 10) + value.substring(value.length() - 4);
	}

}
