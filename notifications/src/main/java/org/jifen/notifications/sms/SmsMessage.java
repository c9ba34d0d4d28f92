package org.jifen.notifications.sms;

import java.util.List;

/**
 * One text message to one phone.
 *
 * @param phoneNumber the recipient's mobile number
 * @param textKey the notification's text key; providers in China send only templates
 * approved in advance, so a provider adapter maps this key to its template code
 * @param text the rendered body, for providers and stand-ins that send free text
 * @param arguments the notification's arguments, as template parameters
 */
public record SmsMessage(String phoneNumber, String textKey, String text, List<Object> arguments) {

	public SmsMessage {
		arguments = List.copyOf(arguments);
	}

	@Override
	public String toString() {
		return "SmsMessage[to " + PhoneNumbers.mask(this.phoneNumber) + ", " + this.textKey + "]";
	}

}
