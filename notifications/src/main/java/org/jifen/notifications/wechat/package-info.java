/**
 * WeChat subscribe messages (订阅消息) to mini-program users: the adapter, its settings, the
 * access token it shares, and the port to the users' one-shot consents.
 */
@NullMarked
package org.jifen.notifications.wechat;

import org.jspecify.annotations.NullMarked;
