package org.jifen.api.inbox;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.jifen.notifications.wechat.WeChatSubscribeSettings;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The inbox's settings.
 *
 * @param heartbeat how often an idle live stream sends a comment, so that proxies keep it
 * open
 * @param wechat the WeChat subscribe messages, off unless an app id is set (see the
 * notifications module's README for the template mapping)
 */
@ConfigurationProperties("jifen.notifications")
public record InboxProperties(@DefaultValue("15s") Duration heartbeat, @Nullable WeChatSubscribeSettings wechat) {
}
