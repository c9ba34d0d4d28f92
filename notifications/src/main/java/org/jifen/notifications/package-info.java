/**
 * Outbox relay, live streams and delivery channels; knows nothing about villages.
 */
package org.jifen.notifications;
