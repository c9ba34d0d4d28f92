package org.jifen.notifications;

/**
 * A notification rendered for reading: the in-app inbox shows both, SMS sends the body.
 *
 * @param title a few words
 * @param body one or two sentences with the event's details
 */
public record NotificationText(String title, String body) {

}
