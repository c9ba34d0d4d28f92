/**
 * Text messages for villagers without smartphones: the port to an SMS provider, a logging
 * stand-in, and the channel that renders notifications for it.
 */
@NullMarked
package org.jifen.notifications.sms;

import org.jspecify.annotations.NullMarked;
