package org.jifen.api.tasks;

import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Runs the task deadlines on time: auto-release, auto-confirm, expiry. Safe in every
 * instance at once (see {@link TaskBoard#runDue}).
 */
@Component
class TaskDeadlines {

	private static final Logger log = LoggerFactory.getLogger(TaskDeadlines.class);

	private final TaskBoard tasks;

	private final Clock clock;

	TaskDeadlines(TaskBoard tasks, Clock clock) {
		this.tasks = tasks;
		this.clock = clock;
	}

	@Scheduled(fixedDelayString = "${jifen.tasks.interval:PT1M}", initialDelayString = "PT30S")
	Mono<Void> runDue() {
		return this.tasks.runDue(this.clock.instant()).doOnNext((moved) -> {
			if (moved > 0) {
				log.info("Moved {} task slots and tasks past their deadlines", moved);
			}
		}).then();
	}

}
