/**
 * Delivery channels for notifications and their texts; knows nothing about villages. The
 * outbox relay hands each channel a {@link org.jifen.notifications.Notification} and gets
 * a {@link org.jifen.notifications.Delivery} back.
 */
@NullMarked
package org.jifen.notifications;

import org.jspecify.annotations.NullMarked;
