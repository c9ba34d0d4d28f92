package org.jifen.api.tasks;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Volunteer order-taking's timings.
 *
 * @param releaseGrace how long after a task's start (or a later grab) a grabbed slot may
 * stay unstarted before the scheduler gives it back
 * @param autoConfirmAfter how long a completion waits for the poster before it confirms
 * itself and pays
 */
@ConfigurationProperties("jifen.tasks")
public record TaskProperties(@DefaultValue("30m") Duration releaseGrace,
		@DefaultValue("72h") Duration autoConfirmAfter) {
}
