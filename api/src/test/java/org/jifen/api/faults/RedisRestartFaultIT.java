package org.jifen.api.faults;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.jifen.api.embedded.EmbeddedRedis;
import org.jifen.api.faults.Traffic.Answer;
import org.jifen.api.faults.Traffic.Change;
import org.jifen.api.support.IntegrationTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis killed and started again (empty, on the same port) while clients donate, submit
 * and approve claims, rebuild boards and read balances, history and boards. Balances and
 * history stay readable throughout; what needs Redis fails fast with a 503 problem and
 * succeeds when retried with the same key; afterwards every change is in the ledger
 * exactly once and the boards equal the ledger again. This test runs its own Redis, so
 * stopping it troubles no other test.
 */
class RedisRestartFaultIT extends IntegrationTest {

	private static EmbeddedRedis redis = EmbeddedRedis.start();

	@DynamicPropertySource
	static void ownRedis(DynamicPropertyRegistry registry) {
		int port = redis.port();
		// The URL wins over the host and port the base class gives.
		registry.add("spring.data.redis.url", () -> "redis://127.0.0.1:" + port);
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@LocalServerPort
	private int port;

	@Autowired
	private ApplicationContext application;

	@Test
	void underLoadRedisGoesAndComesBackAndNothingIsLostDoubledOrLeftBehindOnTheBoards() throws Exception {
		Traffic traffic = new Traffic("http://localhost:" + this.port);
		VillageLoad load = new VillageLoad("redis-fault", traffic, this.http, this.application);
		load.start(6);
		Traffic.pause(Duration.ofSeconds(3));

		redis.close();
		Traffic.pause(Duration.ofSeconds(2));
		Change rebuild = load.rebuildBoards("rebuild-during-the-outage");
		Traffic.pause(Duration.ofSeconds(4));
		redis = EmbeddedRedis.start(redis.port());
		Traffic.pause(Duration.ofSeconds(6));
		load.stop();
		System.out.println("Traffic under the Redis restart:" + traffic.summary());

		assertThat(rebuild.attempts()).singleElement().satisfies((refused) -> assertThat(refused.outage()).isTrue());
		List<Answer> boardReads = load.boardReads();
		assertThat(boardReads).as("board reads refused during the outage").anyMatch(Answer::outage);
		assertThat(boardReads).as("board reads served after the outage").anyMatch(Answer::ok);
		assertThat(load.ledgerReads()).as("balance and history reads (PostgreSQL only)").allMatch(Answer::ok);
		assertThat(traffic.unexpected()).as("answers neither 2xx nor a 503 problem").isEmpty();
		assertThat(traffic.answers().stream().filter(Answer::outage)).as("refusals that took their time")
			.allMatch((answer) -> answer.took().compareTo(Duration.ofSeconds(3)) < 0);
		// Nobody has rebuilt them: the boards came back by themselves.
		load.proveBoardsMatchTheLedger(services()::count);

		load.settle();
		assertThat(rebuild.acknowledged()).as("the rebuild retried with its key").isNotNull();
		load.proveExactlyOnce(services()::count);
		load.proveBoardsMatchTheLedger(services()::count);
	}

}
