/**
 * What reaches people: the inbox (persistent notifications with read state), the live
 * stream (Server-Sent Events fanned out through Redis pub/sub), WeChat subscribe messages
 * and SMS, each by the user's preferences. Fed by the outbox relay.
 */
@NullMarked
package org.jifen.api.inbox;

import org.jspecify.annotations.NullMarked;
