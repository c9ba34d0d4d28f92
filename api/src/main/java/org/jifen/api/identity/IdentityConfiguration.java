package org.jifen.api.identity;

import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Chooses the WeChat adapter: the real API when an app id and secret are configured, the
 * fake (dev codes) otherwise.
 */
@Configuration(proxyBeanMethods = false)
class IdentityConfiguration {

	@Bean
	WeChat weChat(IdentityProperties properties, JsonMapper json) {
		if (properties.wechat().configured()) {
			return new WeChatClient(properties.wechat(), json);
		}
		LoggerFactory.getLogger(IdentityConfiguration.class)
			.warn("No WeChat app id and secret configured: mini-program login accepts dev codes (dev-<name>) only");
		return new FakeWeChat();
	}

}
