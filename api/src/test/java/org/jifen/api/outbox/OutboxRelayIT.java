package org.jifen.api.outbox;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.RedisException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Role;
import org.jifen.api.ledger.Ledger;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.support.Fixtures;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.SignedIn;
import org.jifen.api.village.Household;
import org.jifen.api.village.Region;
import org.jifen.api.village.RegionLevel;
import org.jifen.api.village.Villages;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The relay under failure, driven by hand (the scheduled relay is off here): killed
 * mid-batch, a consumer failing, an event dying and being sent again.
 */
@TestPropertySource(properties = { "jifen.outbox.enabled=false", "jifen.outbox.lease=PT3S",
		"jifen.outbox.first-retry=PT1S", "jifen.outbox.max-attempts=3" })
class OutboxRelayIT extends IntegrationTest {

	@Autowired
	private OutboxRelay relay;

	@Autowired
	private Gate gate;

	@Autowired
	private Villages villages;

	@Autowired
	private Accounts accounts;

	@Autowired
	private Ledger ledger;

	@Autowired
	private PointKinds kinds;

	private Region villageA;

	private Region villageB;

	private Household householdA;

	private Household householdB;

	@BeforeEach
	void twoVillagesWithAVillagerEach() {
		services().wipe();
		this.gate.reset();
		this.villageA = Fixtures.village(this.villages, "relay-a");
		this.villageB = this.villages.createRegion(this.villageA.parentId(), RegionLevel.VILLAGE, "relay-b", "东坪村")
			.block();
		this.householdA = household(this.villageA, "张三");
		this.householdB = household(this.villageB, "李四");
		SignedIn.villager(this.http, this.accounts, "relay-a", this.householdA.members().get(0).id());
		SignedIn.villager(this.http, this.accounts, "relay-b", this.householdB.members().get(0).id());
	}

	@Test
	void aRelayKilledMidBatchLosesNothingAndDuplicatesNothingVisible() {
		List<Long> events = award(this.villageA, this.householdA, 10);
		this.gate.stallAt.add(events.get(4));
		Disposable killed = this.relay.round().subscribe();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.gate.stalled.get() == 1);
		killed.dispose();
		// A village's handled events are marked done together when its turn ends.
		assertThat(statuses(events)).as("the dead relay marked nothing done").containsOnly("PENDING");

		this.gate.stallAt.clear();
		// Nothing happens before the dead relay's lease runs out...
		assertThat(this.relay.drain().block()).isZero();
		// ...then another relay takes them all again.
		await().pollDelay(Duration.ofMillis(3100))
			.atMost(Duration.ofSeconds(5))
			.until(() -> this.relay.drain().block() == 10);
		assertThat(services().count("select count(*) from outbox_event where status = 'DONE'")).isEqualTo(10);
		assertThat(services().count("select count(*) from notification")).as("one notification per posting")
			.isEqualTo(10);
		assertThat(services().count("select count(distinct event_id) from notification")).isEqualTo(10);
		assertThat(this.gate.handled.get(events.get(4)).get()).as("the interrupted event is handled again")
			.isEqualTo(2);
		assertThat(this.gate.handled.get(events.get(3)).get()).as("and so are those handled before it").isEqualTo(2);
		assertThat(this.gate.order).as("in order, each time")
			.containsExactlyElementsOf(Stream.concat(events.subList(0, 5).stream(), events.stream()).toList());
	}

	@Test
	void aSlowBatchKeepsItsLeaseSoNoOtherRelayHandlesItsEventsAgain() {
		List<Long> events = award(this.villageA, this.householdA, 4);
		this.gate.slowness = Duration.ofMillis(1200);
		Disposable slow = this.relay.round().subscribe();
		// Past the 3 s lease of the first claim, another relay finds nothing to take.
		await().pollDelay(Duration.ofMillis(3500)).atMost(Duration.ofSeconds(5)).until(() -> true);
		this.gate.slowness = Duration.ZERO;
		assertThat(this.relay.round().block()).isZero();
		await().atMost(Duration.ofSeconds(10)).until(slow::isDisposed);
		assertThat(statuses(events)).containsOnly("DONE");
		assertThat(events).allSatisfy((event) -> assertThat(this.gate.handled.get(event).get()).isEqualTo(1));
	}

	@Test
	void aFailingEventIsRetriedWithBackOffAndHoldsBackOnlyItsOwnVillage() {
		List<Long> inA = award(this.villageA, this.householdA, 3);
		List<Long> inB = award(this.villageB, this.householdB, 2);
		this.gate.failing.add(inA.get(0));

		assertThat(this.relay.drain().block()).as("village B goes on").isEqualTo(2);
		assertThat(statuses(inA)).containsOnly("PENDING");
		assertThat(statuses(inB)).containsOnly("DONE");
		assertThat(services().count("select attempts from outbox_event where id = ?", inA.get(0))).isEqualTo(1);

		this.gate.failing.clear();
		assertThat(this.relay.drain().block()).as("not before its back-off").isZero();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.relay.drain().block() == 3);
		assertThat(statuses(inA)).containsOnly("DONE");
		List<Long> orderInA = this.gate.order.stream().filter(inA::contains).toList();
		assertThat(orderInA)
			.containsExactlyElementsOf(List.of(inA.get(0), inA.get(0), inA.get(1), inA.get(2)).subList(1, 4))
			.as("after the failed first try, village A's events run in order");
	}

	/**
	 * Who of each household signs in is read once for the round, not for every event:
	 * each household's events still reach its own members, and only them.
	 */
	@Test
	void oneRoundOfSeveralHouseholdsNotifiesEachHouseholdsOwnMembers() {
		award(this.villageA, this.householdA, 3);
		award(this.villageB, this.householdB, 2);

		assertThat(this.relay.drain().block()).isEqualTo(5);
		assertThat(notificationsOf(this.householdA)).isEqualTo(3);
		assertThat(notificationsOf(this.householdB)).isEqualTo(2);
	}

	private long notificationsOf(Household household) {
		return services().count(
				"select count(*) from notification n join app_user u on u.id = n.user_id where u.member_id = ?",
				household.members().get(0).id().value());
	}

	@Test
	void anEventHeldUpByAnOutageWaitsForItHoweverLongItLasts() {
		long event = award(this.villageA, this.householdA, 1).get(0);
		this.gate.unreachable.add(event);
		// Twice the attempts that would kill a failing event.
		await().atMost(Duration.ofSeconds(15)).until(() -> {
			this.relay.drain().block();
			return this.gate.handled.get(event) != null && this.gate.handled.get(event).get() >= 6;
		});
		assertThat(status(event)).isEqualTo("PENDING");
		assertThat(services().count("select attempts from outbox_event where id = ?", event)).isZero();

		this.gate.unreachable.clear();
		await().atMost(Duration.ofSeconds(5)).until(() -> {
			this.relay.drain().block();
			return status(event).equals("DONE");
		});
	}

	@Test
	void anEventThatKeepsFailingDiesAndAnAdminSendsItAgain() {
		long event = award(this.villageA, this.householdA, 1).get(0);
		this.gate.failing.add(event);
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			this.relay.drain().block();
			return status(event).equals("DEAD");
		});
		assertThat(services().count("select attempts from outbox_event where id = ?", event)).isEqualTo(3);

		String admin = SignedIn.staff(this.http, this.accounts, "relay-admin", Role.VILLAGE_ADMIN,
				this.villageA.id().value());
		String otherAdmin = SignedIn.staff(this.http, this.accounts, "relay-admin-b", Role.VILLAGE_ADMIN,
				this.villageB.id().value());
		this.http.get()
			.uri("/api/v1/regions/{id}/dead-letters", this.villageA.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + admin)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.items[0].eventId")
			.isEqualTo(event)
			.jsonPath("$.items[0].lastError")
			.value((error) -> assertThat(String.valueOf(error)).contains("refused by the test"));
		this.http.post()
			.uri("/api/v1/outbox-events/{id}/retry", event)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + otherAdmin)
			.exchange()
			.expectStatus()
			.isForbidden();

		this.gate.failing.clear();
		this.http.post()
			.uri("/api/v1/outbox-events/{id}/retry", event)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + admin)
			.exchange()
			.expectStatus()
			.isOk();
		this.http.post()
			.uri("/api/v1/outbox-events/{id}/retry", event)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + admin)
			.exchange()
			.expectStatus()
			.isEqualTo(409);
		assertThat(this.relay.drain().block()).isEqualTo(1);
		assertThat(status(event)).isEqualTo("DONE");
		assertThat(services().count("select count(*) from notification where event_id = ?", event)).isEqualTo(1);
	}

	private Household household(Region village, String head) {
		return Fixtures.registered(this.villages, village, Fixtures.household("001", head));
	}

	/** Posts awards and returns their outbox events, oldest first. */
	private List<Long> award(Region village, Household household, int count) {
		for (int i = 1; i <= count; i++) {
			Fixtures.award(this.ledger, this.kinds, village, household, i, "第" + i + "次");
		}
		return services().ids("select id from outbox_event where village_id = ? and status = 'PENDING' order by id",
				village.id().value());
	}

	private String status(long event) {
		return statuses(List.of(event)).get(0);
	}

	private List<String> statuses(List<Long> events) {
		return events.stream()
			.map((event) -> (services().count("select count(*) from outbox_event where id = ? and status = 'DONE'",
					event) == 1)
							? "DONE"
							: (services().count("select count(*) from outbox_event where id = ? and status = 'DEAD'",
									event) == 1) ? "DEAD" : "PENDING")
			.toList();
	}

	/** A consumer the test can make stall (as if the process died) or fail. */
	static final class Gate implements OutboxConsumer {

		final Set<Long> stallAt = ConcurrentHashMap.newKeySet();

		final Set<Long> failing = ConcurrentHashMap.newKeySet();

		final Set<Long> unreachable = ConcurrentHashMap.newKeySet();

		final Map<Long, AtomicInteger> handled = new ConcurrentHashMap<>();

		final List<Long> order = new CopyOnWriteArrayList<>();

		final AtomicInteger stalled = new AtomicInteger();

		volatile Duration slowness = Duration.ZERO;

		void reset() {
			this.slowness = Duration.ZERO;
			this.stallAt.clear();
			this.failing.clear();
			this.unreachable.clear();
			this.handled.clear();
			this.order.clear();
			this.stalled.set(0);
		}

		@Override
		public String name() {
			return "gate";
		}

		@Override
		public Mono<Void> handle(OutboxEvent event) {
			return Mono.defer(() -> {
				this.handled.computeIfAbsent(event.id(), (id) -> new AtomicInteger()).incrementAndGet();
				if (this.failing.contains(event.id())) {
					return Mono.error(new IllegalStateException("refused by the test"));
				}
				if (this.unreachable.contains(event.id())) {
					// What Lettuce raises for a command while Redis is away.
					return Mono.error(new RedisException("Currently not connected. Commands are rejected."));
				}
				this.order.add(event.id());
				if (this.stallAt.contains(event.id())) {
					this.stalled.incrementAndGet();
					return Mono.never();
				}
				return this.slowness.isZero() ? Mono.empty() : Mono.delay(this.slowness).then();
			});
		}

	}

	@TestConfiguration(proxyBeanMethods = false)
	static class GateConfiguration {

		@Bean
		Gate gate() {
			return new Gate();
		}

	}

}
