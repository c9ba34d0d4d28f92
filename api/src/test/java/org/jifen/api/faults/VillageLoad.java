package org.jifen.api.faults;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jifen.api.catalog.Catalog;
import org.jifen.api.catalog.CatalogItemDraft;
import org.jifen.api.claims.Claims;
import org.jifen.api.faults.Traffic.Answer;
import org.jifen.api.faults.Traffic.Change;
import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Caller;
import org.jifen.api.identity.Role;
import org.jifen.api.ledger.Ledger;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.support.Fixtures;
import org.jifen.api.support.SignedIn;
import org.jifen.api.village.Household;
import org.jifen.api.village.Region;
import org.jifen.api.village.Villages;
import org.springframework.context.ApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A village under load: villagers donate to each other and read their balances, history
 * and board while the admin submits and approves claims (awards) and now and then
 * rebuilds the boards. Every change carries its own {@code Idempotency-Key}; the checks
 * afterwards prove that each acknowledged change is in the database exactly once.
 */
final class VillageLoad {

	static final int HOUSEHOLDS = 8;

	/** What each household starts with, so donations never run dry. */
	static final long START_POINTS = 10_000;

	/** What one claim of the load's catalog item awards. */
	static final int CLAIM_POINTS = 3;

	static final String ITEM = "mei-01";

	/** Later than any public notice ends. */
	private static final Duration NOTICE_OVER = Duration.ofDays(120);

	final Region village;

	final long countyId;

	final List<Household> households = new ArrayList<>();

	final List<String> villagers = new ArrayList<>();

	final String admin;

	final String countyAdmin;

	final Traffic traffic;

	private final String run;

	private final Claims claims;

	private final AtomicBoolean stopping = new AtomicBoolean();

	private ExecutorService clients;

	private final Queue<Change> donations = new ConcurrentLinkedQueue<>();

	private final Queue<Change> submissions = new ConcurrentLinkedQueue<>();

	private final Map<Change, Change> approvals = new java.util.concurrent.ConcurrentHashMap<>();

	/** Reads that must succeed throughout (PostgreSQL only). */
	private final Queue<Answer> ledgerReads = new ConcurrentLinkedQueue<>();

	/** Board reads (Redis). */
	private final Queue<Answer> boardReads = new ConcurrentLinkedQueue<>();

	/**
	 * Builds the village, its households with points, and signs everyone in, through the
	 * services of the application under test.
	 */
	VillageLoad(String code, Traffic traffic, WebTestClient http, ApplicationContext application) {
		Villages villages = application.getBean(Villages.class);
		Accounts accounts = application.getBean(Accounts.class);
		Catalog catalog = application.getBean(Catalog.class);
		Ledger ledger = application.getBean(Ledger.class);
		PointKinds kinds = application.getBean(PointKinds.class);
		this.claims = application.getBean(Claims.class);
		this.run = code;
		this.traffic = traffic;
		this.village = Fixtures.village(villages, code);
		this.countyId = villages.ancestry(this.village.id()).block().getLast().value();
		Caller setup = SignedIn.staffCaller(accounts, code + "-setup", Role.VILLAGE_ADMIN, this.village.id().value());
		catalog
			.save(this.village.id(),
					new CatalogItemDraft(ITEM, "打扫村道", "美", CLAIM_POINTS, null, null, false, null, null), setup.actor())
			.block();
		for (int i = 1; i <= HOUSEHOLDS; i++) {
			Household household = Fixtures.registered(villages, this.village,
					Fixtures.household(String.format("%03d", i), "户主" + i));
			Fixtures.award(ledger, kinds, this.village, household, START_POINTS, "起始积分");
			this.households.add(household);
			this.villagers
				.add(SignedIn.villager(http, accounts, code + "-villager-" + i, household.members().get(0).id()));
		}
		this.admin = SignedIn.staff(http, accounts, code + "-admin", Role.VILLAGE_ADMIN, this.village.id().value());
		this.countyAdmin = SignedIn.staff(http, accounts, code + "-county", Role.COUNTY_ADMIN, this.countyId);
		Answer policy = traffic.put(this.admin, "/api/v1/villages/" + this.village.id().value() + "/donation-policy",
				code + "-policy",
				Map.of("dailyCap", 1_000_000, "monthlyCap", 10_000_000, "minimum", 1, "assistanceListOnly", false));
		assertThat(policy.ok()).as("donation policy: %s", policy).isTrue();
	}

	/**
	 * Starts {@code clients} threads, each looping over the village's requests, and one
	 * that runs the claims' deadlines with a time past every notice, so that approved
	 * claims keep reaching the ledger (and the boards) during the load.
	 */
	void start(int clients) {
		this.clients = Executors.newFixedThreadPool(clients + 1);
		for (int client = 0; client < clients; client++) {
			int id = client;
			this.clients.submit(() -> loop(id));
		}
		this.clients.submit(() -> {
			while (!this.stopping.get()) {
				try {
					this.claims.closeDue(Instant.now().plus(NOTICE_OVER)).block(Duration.ofSeconds(30));
				}
				catch (RuntimeException ex) {
					// The database is away: the deadlines run again, as the scheduler's
					// do.
				}
				Traffic.pause(Duration.ofMillis(300));
			}
		});
	}

	/** Stops the clients once their current round is done. */
	void stop() throws InterruptedException {
		this.stopping.set(true);
		this.clients.shutdown();
		assertThat(this.clients.awaitTermination(2, TimeUnit.MINUTES)).as("the clients stop").isTrue();
	}

	private void loop(int client) {
		long villageId = this.village.id().value();
		for (int round = 0; !this.stopping.get(); round++) {
			int giver = (client + round) % HOUSEHOLDS;
			Household recipient = this.households.get((giver + 1) % HOUSEHOLDS);
			String token = this.villagers.get(giver);
			long household = this.households.get(giver).id().value();
			String key = this.run + "-" + client + "-" + round;
			this.donations.add(this.traffic.change("donation", "d-" + key,
					(change) -> this.traffic.post(token, "/api/v1/villages/" + villageId + "/donations", change.key,
							Map.of("recipientHouseholdId", recipient.id().value(), "points", 1))));
			this.ledgerReads.add(this.traffic.get(token, "/api/v1/households/" + household + "/balances"));
			Change submission = this.traffic.change("claim", "c-" + key,
					(change) -> this.traffic.post(this.admin, "/api/v1/villages/" + villageId + "/claims", change.key,
							Map.of("householdId", household, "itemCode", ITEM, "source", "ORGANISATION", "description",
									change.key)));
			this.submissions.add(submission);
			if (submission.acknowledged() != null) {
				approve(submission);
			}
			this.ledgerReads.add(this.traffic.get(token, "/api/v1/households/" + household + "/history?limit=5"));
			this.boardReads.add(this.traffic.get(token, "/api/v1/villages/" + villageId + "/boards?limit=5"));
		}
	}

	private void approve(Change submission) {
		long claimId = submission.acknowledged().body().get("id").asLong();
		this.approvals.computeIfAbsent(submission,
				(submitted) -> this.traffic.change("approval", "a-" + submitted.key, (change) -> this.traffic
					.post(this.admin, "/api/v1/claims/" + claimId + "/approve", change.key, Map.of("reason", "属实"))));
	}

	/**
	 * After the fault: every change not acknowledged is sent again with its own key until
	 * it is, and claims acknowledged only now are approved too.
	 */
	void settle() {
		this.traffic.retryUnacknowledged(Duration.ofSeconds(60));
		this.submissions.stream().filter((submission) -> submission.acknowledged() != null).forEach(this::approve);
		this.traffic.retryUnacknowledged(Duration.ofSeconds(60));
		assertThat(this.traffic.unacknowledged()).as("changes still refused after the fault").isEmpty();
	}

	/** A {@code select count(*)} or {@code sum} on the database the load ran against. */
	@FunctionalInterface
	interface Count {

		long of(String sql, Object... parameters);

	}

	/**
	 * Proves no point lost or doubled: each acknowledged change is in the database
	 * exactly once, every approved claim reaches the ledger exactly once (the deadline
	 * runner is run with a time past every notice), the households' totals add up, and
	 * the ledger's own verification passes.
	 */
	void proveExactlyOnce(Count count) {
		long villageId = this.village.id().value();
		for (Change donation : this.donations) {
			assertThat(count.of("select count(*) from journal_transaction where village_id = ? and request_id like ?",
					villageId, "donation-%-" + donation.key))
				.as("journal transactions of %s", donation)
				.isOne();
		}
		for (Change submission : this.submissions) {
			assertThat(count.of("select count(*) from claim where village_id = ? and description = ?", villageId,
					submission.key))
				.as("claims of %s", submission)
				.isOne();
		}
		assertThat(count.of("select count(*) from donation where village_id = ?", villageId))
			.isEqualTo(this.donations.size());
		assertThat(count.of("select count(*) from claim where village_id = ?", villageId))
			.isEqualTo(this.submissions.size());
		assertThat(this.approvals).hasSameSizeAs(this.submissions);

		Instant afterEveryNotice = Instant.now().plus(NOTICE_OVER);
		await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> this.claims.closeDue(afterEveryNotice).block() >= 0 && count
				.of("select count(*) from claim where village_id = ? and status <> 'EFFECTIVE'", villageId) == 0);
		for (Change approval : this.approvals.values()) {
			long claimId = approval.acknowledged().body().get("id").asLong();
			assertThat(count.of("select count(*) from journal_transaction where request_id = ?", "claim-" + claimId))
				.as("postings of claim %d", claimId)
				.isOne();
		}
		// The opening awards, one transaction per donation and per claim: nothing more.
		assertThat(count.of("select count(*) from journal_transaction where village_id = ?", villageId))
			.isEqualTo(HOUSEHOLDS + this.donations.size() + this.submissions.size());
		long expected = HOUSEHOLDS * START_POINTS + (long) CLAIM_POINTS * this.submissions.size();
		assertThat(count.of(
				"select coalesce(sum(score), 0) from account where village_id = ? and owner_type = 'HOUSEHOLD'",
				villageId))
			.as("the households' score")
			.isEqualTo(expected);
		assertThat(count.of(
				"select coalesce(sum(available), 0) from account where village_id = ? and owner_type = 'HOUSEHOLD'",
				villageId))
			.as("the households' available points")
			.isEqualTo(expected);
		Answer verification = this.traffic.get(this.admin, "/api/v1/villages/" + villageId + "/ledger/verification");
		assertThat(verification.ok()).as("verification: %s", verification).isTrue();
		assertThat(verification.body().get("intact").asBoolean()).as("verification: %s", verification.body()).isTrue();
	}

	/**
	 * Asks for the village's boards to be rebuilt from the ledger (a change that needs
	 * Redis).
	 */
	Change rebuildBoards(String key) {
		return this.traffic.change("rebuild", key, (change) -> this.traffic.post(this.admin,
				"/api/v1/regions/" + this.village.id().value() + "/boards/rebuild", change.key, null));
	}

	/**
	 * Proves the boards equal the ledger once every event is delivered: the check of the
	 * county (its town and village too) lists no difference.
	 */
	void proveBoardsMatchTheLedger(Count count) {
		await().atMost(Duration.ofSeconds(90))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> count.of("select count(*) from outbox_event where status <> 'DONE'") == 0);
		Answer check = this.traffic.get(this.countyAdmin, "/api/v1/regions/" + this.countyId + "/boards/check");
		assertThat(check.ok()).as("board check: %s", check).isTrue();
		assertThat(check.body().get("boards").asInt()).isPositive();
		assertThat(check.body().get("differences")).as("board differences").isEmpty();
	}

	List<Change> donations() {
		return List.copyOf(this.donations);
	}

	List<Change> submissions() {
		return List.copyOf(this.submissions);
	}

	List<Change> approvals() {
		return List.copyOf(this.approvals.values());
	}

	List<Answer> ledgerReads() {
		return List.copyOf(this.ledgerReads);
	}

	List<Answer> boardReads() {
		return List.copyOf(this.boardReads);
	}

}
