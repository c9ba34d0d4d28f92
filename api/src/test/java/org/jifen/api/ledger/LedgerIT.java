package org.jifen.api.ledger;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Role;
import org.jifen.api.shared.DomainException;
import org.jifen.api.support.Fixtures;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.SignedIn;
import org.jifen.api.village.HouseholdId;
import org.jifen.api.village.Region;
import org.jifen.api.village.Villages;
import org.jifen.api.web.PageRequest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ledger against real PostgreSQL: double entry, score versus available, no overdraft,
 * idempotent postings, exact balances under concurrency, and a verification that names
 * the first tampered row.
 */
class LedgerIT extends IntegrationTest {

	private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

	@Autowired
	private Ledger ledger;

	@Autowired
	private PointKinds kinds;

	@Autowired
	private Villages villages;

	@Autowired
	private Accounts accounts;

	private Region village;

	private HouseholdId zhang;

	private long householdKind;

	private long volunteerKind;

	@BeforeEach
	void aVillageWithTwoHouseholds() {
		services().wipe();
		this.village = Fixtures.village(this.villages, "ledger");
		this.villages
			.registerHouseholds(this.village.id(),
					List.of(Fixtures.household("001", "张小明"), Fixtures.household("002", "李秀英")))
			.block();
		this.zhang = this.villages.households(this.village.id(), PageRequest.of(null, 1)).block().items().get(0).id();
		this.householdKind = this.kinds.defaultKind(this.village.id()).block().id();
		this.volunteerKind = this.kinds.kind(this.village.id(), PointKinds.VOLUNTEER).block().id();
	}

	@Test
	void anAwardRaisesScoreAndAvailableAndSpendingLowersOnlyAvailable() {
		this.ledger.post(Posting.award(this.village.id(), this.householdKind, this.zhang, 5, "孝老爱亲: 照顾老人", null))
			.block();
		this.ledger.post(Posting.spend(this.village.id(), this.householdKind, this.zhang, 3, "积分超市: 洗衣粉", null))
			.block();

		assertThat(this.ledger.balances(this.zhang, SHANGHAI).collectList().block())
			.containsExactly(new Balance("household", "户积分", 5, 2, 5, 5, 5));
		assertThat(services().count("select coalesce(sum(amount), 0) from journal_entry")).isZero();
		assertThat(this.ledger.verify(this.village.id()).block().intact()).isTrue();
	}

	/**
	 * This month's, quarter's and year's figures count only the entries of that period in
	 * the village's zone; the score counts every entry.
	 */
	@Test
	void periodFiguresCountOnlyThePeriodsEntries() {
		LocalDate today = LocalDate.now(SHANGHAI);
		LocalDate monthStart = today.withDayOfMonth(1);
		LocalDate quarterStart = monthStart.withMonth(((today.getMonthValue() - 1) / 3) * 3 + 1);
		LocalDate yearStart = today.withDayOfYear(1);
		// In January the three days before are one day; each award is posted all the
		// same.
		List<Map.Entry<LocalDate, Long>> awards = List.of(Map.entry(yearStart.minusDays(1), 1L),
				Map.entry(quarterStart.minusDays(1), 2L), Map.entry(monthStart.minusDays(1), 4L), Map.entry(today, 8L));
		long score = 0;
		long month = 0;
		long quarter = 0;
		long year = 0;
		for (int i = 0; i < awards.size(); i++) {
			LocalDate day = awards.get(i).getKey();
			long points = awards.get(i).getValue();
			String request = "period-" + i;
			this.ledger
				.post(Posting.award(this.village.id(), this.householdKind, this.zhang, points, "勤: 志愿服务", request))
				.block();
			// Noon of that day, as if posted then.
			services().count(
					"with moved as (update journal_transaction set occurred_at = ? where request_id = ? returning 1) "
							+ "select count(*) from moved",
					day.atTime(12, 0).atZone(SHANGHAI).toOffsetDateTime(), request);
			score += points;
			month += day.isBefore(monthStart) ? 0 : points;
			quarter += day.isBefore(quarterStart) ? 0 : points;
			year += day.isBefore(yearStart) ? 0 : points;
		}

		assertThat(this.ledger.balances(this.zhang, SHANGHAI).blockFirst())
			.isEqualTo(new Balance("household", "户积分", score, score, month, quarter, year));
		assertThat(month).isEqualTo(8);
		assertThat(year).isLessThan(score);
	}

	@Test
	void aDeductionMayTakeHouseholdPointsBelowZero() {
		this.ledger.post(Posting.deduction(this.village.id(), this.householdKind, this.zhang, 10, "乱堆乱放 (整改逾期)", null))
			.block();
		assertThat(this.ledger.balances(this.zhang, SHANGHAI).blockFirst())
			.isEqualTo(new Balance("household", "户积分", -10, -10, -10, -10, -10));
	}

	@Test
	void spendingMoreThanIsAvailableIsRefusedAndWritesNothing() {
		this.ledger.post(Posting.award(this.village.id(), this.householdKind, this.zhang, 4, "美: 庭院整洁", null)).block();
		long kind = this.kinds.kind(this.village.id(), "green").block().id();
		this.ledger.post(Posting.award(this.village.id(), kind, this.zhang, 2, "垃圾分类", null)).block();

		StepVerifier.create(this.ledger.post(Posting.spend(this.village.id(), kind, this.zhang, 3, "兑换", null)))
			.expectErrorSatisfies(
					(error) -> assertThat(error).isInstanceOf(DomainException.class)
						.hasFieldOrPropertyWithValue("type", "insufficient-points")
						.satisfies((refusal) -> assertThat(((DomainException) refusal).arguments())
							.containsEntry("available", 2L)
							.containsEntry("required", 3L)))
			.verify();
		assertThat(services().count("select count(*) from journal_transaction")).isEqualTo(2);
		assertThat(this.ledger.balances(this.zhang, SHANGHAI).collectList().block())
			.contains(new Balance("green", "绿色存折", 2, 2, 2, 2, 2));
		assertThat(this.ledger.verify(this.village.id()).block().intact()).isTrue();
	}

	/**
	 * The legs move in one statement: when a later leg is refused, the earlier one's move
	 * goes back with the transaction, and the refusal names the refused leg's figures.
	 */
	@Test
	void aRefusedLaterLegUndoesTheEarlierOnesAndNamesItsOwnFigures() {
		HouseholdId li = this.villages.households(this.village.id(), PageRequest.of(null, 2))
			.block()
			.items()
			.get(1)
			.id();
		this.ledger.post(Posting.award(this.village.id(), this.householdKind, this.zhang, 4, "美: 庭院整洁", null)).block();
		this.ledger.post(Posting.award(this.village.id(), this.householdKind, li, 1, "信: 诚信经营", null)).block();
		Posting overdrawn = new Posting(this.village.id(), this.householdKind, "DONATION", "爱心捐赠", "gift-overdrawn",
				List.of(new Posting.Leg(AccountRef.household(li), 7, 0),
						new Posting.Leg(AccountRef.household(this.zhang), -7, 0)));

		StepVerifier.create(this.ledger.post(overdrawn))
			.expectErrorSatisfies(
					(error) -> assertThat(((DomainException) error).arguments()).containsEntry("available", 4L)
						.containsEntry("required", 7L))
			.verify();
		assertThat(this.ledger.balances(li, SHANGHAI).blockFirst().available()).as("the recipient's move went back")
			.isEqualTo(1);
		assertThat(this.ledger.balances(this.zhang, SHANGHAI).blockFirst().available()).isEqualTo(4);
		assertThat(services().count("select count(*) from journal_transaction where request_id = 'gift-overdrawn'"))
			.isZero();
		assertThat(this.ledger.verify(this.village.id()).block().intact()).isTrue();
	}

	@Test
	void aPostingWithTheSameRequestIdIsRecordedOnce() {
		Posted first = this.ledger
			.post(Posting.award(this.village.id(), this.householdKind, this.zhang, 5, "勤: 志愿服务", "claim-17"))
			.block();
		Posted again = this.ledger
			.post(Posting.award(this.village.id(), this.householdKind, this.zhang, 5, "勤: 志愿服务", "claim-17"))
			.block();

		assertThat(again).isEqualTo(first);
		assertThat(this.ledger.balances(this.zhang, SHANGHAI).blockFirst().score()).isEqualTo(5);
	}

	/**
	 * Every instance runs the same jobs (the yearly reset, the notice close): the same
	 * request posted at once from many places lands once, and every caller is told of
	 * that one posting rather than failing on the duplicate.
	 */
	@Test
	void theSameRequestPostedConcurrentlyLandsOnceAndAnswersEveryCaller() {
		List<Posted> answers = Flux.range(0, 20)
			.flatMap((i) -> this.ledger
				.post(Posting.award(this.village.id(), this.householdKind, this.zhang, 5, "勤: 志愿服务", "claim-race")), 20)
			.collectList()
			.block();

		assertThat(answers).hasSize(20).containsOnly(answers.get(0));
		assertThat(this.ledger.balances(this.zhang, SHANGHAI).blockFirst().score()).isEqualTo(5);
		assertThat(this.ledger.verify(this.village.id()).block().intact()).isTrue();
	}

	@Test
	void fiftyConcurrentPostingsToOneAccountLeaveExactBalances() {
		Flux.range(0, 50)
			.flatMap((i) -> this.ledger.post(Posting.award(this.village.id(), this.householdKind, this.zhang, 3,
					"善: 第" + i + "次", "concurrent-" + i)), 50)
			.blockLast();

		assertThat(this.ledger.balances(this.zhang, SHANGHAI).blockFirst())
			.isEqualTo(new Balance("household", "户积分", 150, 150, 150, 150, 150));
		assertThat(services().count("select max(seq) from journal_transaction where village_id = ?",
				this.village.id().value()))
			.isEqualTo(50);
		assertThat(this.ledger.verify(this.village.id()).block().intact()).isTrue();
	}

	@Test
	void everyPostingWritesAnOutboxEventInTheSameTransaction() {
		this.ledger.post(Posting.award(this.village.id(), this.householdKind, this.zhang, 5, "信: 诚信经营", null)).block();
		assertThat(services().count(
				"select count(*) from outbox_event where type = 'points.posted' " + "and payload->>'villageId' = ?",
				String.valueOf(this.village.id().value())))
			.isOne();
	}

	@Test
	void aKindOfAnotherCountyIsRefused() {
		Region elsewhere = Fixtures.village(this.villages, "ledger-elsewhere");
		long foreignKind = this.kinds.defaultKind(elsewhere.id()).block().id();
		StepVerifier.create(this.ledger.post(Posting.award(this.village.id(), foreignKind, this.zhang, 5, "x", null)))
			.expectErrorSatisfies(
					(error) -> assertThat(error).hasFieldOrPropertyWithValue("type", "point-kind-not-here"))
			.verify();
	}

	@Test
	void theYearlyResetZeroesLastYearsPartyPointsWithJournalEntriesOnce() {
		PointKind party = this.kinds.kind(this.village.id(), "party").block();
		var member = this.villages.household(this.zhang).block().members().get(0).id();
		this.ledger.post(new Posting(this.village.id(), party.id(), "AWARD", "参加党员活动日", null,
				List.of(new Posting.Leg(new AccountRef.Member(member), 8, 8),
						new Posting.Leg(AccountRef.system(SystemRole.ISSUANCE), -8, 0))))
			.block();
		Instant newYear = Instant.now().plusSeconds(1);
		await().until(() -> Instant.now().isAfter(newYear));
		this.ledger.post(new Posting(this.village.id(), party.id(), "AWARD", "新年第一次党员活动", null,
				List.of(new Posting.Leg(new AccountRef.Member(member), 2, 2),
						new Posting.Leg(AccountRef.system(SystemRole.ISSUANCE), -2, 0))))
			.block();

		Posted reset = this.ledger.resetYear(this.village.id(), party, 2027, newYear).block();
		Posted again = this.ledger.resetYear(this.village.id(), party, 2027, newYear).block();

		assertThat(again).isEqualTo(reset);
		assertThat(services().count("select score from account where member_id = ?", member.value())).isEqualTo(2);
		assertThat(services().count("select count(*) from journal_transaction where type = 'RESET'")).isOne();
		assertThat(this.ledger.verify(this.village.id()).block().intact()).isTrue();
		StepVerifier
			.create(this.ledger.resetYear(this.village.id(), this.kinds.defaultKind(this.village.id()).block(), 2027,
					newYear))
			.expectErrorSatisfies(
					(error) -> assertThat(error).hasFieldOrPropertyWithValue("type", "point-kind-does-not-reset"))
			.verify();
	}

	@Test
	void aCountyAdminConfiguresPointKinds() {
		long county = services().count("select parent_id from region where id = ?", this.village.parentId().value());
		String countyAdmin = SignedIn.staff(this.http, this.accounts, "kinds-county", Role.COUNTY_ADMIN, county);
		String villageAdmin = SignedIn.staff(this.http, this.accounts, "kinds-village", Role.VILLAGE_ADMIN,
				this.village.id().value());
		Map<String, Object> culture = Map.of("name", "文明存折", "owner", "HOUSEHOLD", "reset", "NEVER", "spendable", true,
				"transferable", false, "mayGoNegative", false);

		putKind(county, "culture", villageAdmin, culture).expectStatus().isForbidden();
		putKind(county, "culture", countyAdmin, culture).expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.name")
			.isEqualTo("文明存折");
		this.http.get()
			.uri("/api/v1/regions/{id}/point-kinds", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + villageAdmin)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.length()")
			.isEqualTo(5);

		this.ledger.post(Posting.award(this.village.id(), this.householdKind, this.zhang, 5, "孝", null)).block();
		putKind(county, "household", countyAdmin,
				Map.of("name", "户积分", "owner", "MEMBER", "reset", "NEVER", "spendable", true, "transferable", true,
						"mayGoNegative", true))
			.expectStatus()
			.isEqualTo(409)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:point-kind-in-use");
		putKind(this.village.parentId().value(), "culture", countyAdmin, culture).expectStatus()
			.isNotFound()
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("urn:jifen:problem:county-not-found");
	}

	private WebTestClient.ResponseSpec putKind(long region, String code, String token, Map<String, Object> body) {
		return this.http.put()
			.uri("/api/v1/regions/{id}/point-kinds/{code}", region, code)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange();
	}

	@Test
	void verificationNamesTheFirstTamperedRow() {
		for (int i = 1; i <= 3; i++) {
			this.ledger
				.post(Posting.award(this.village.id(), this.householdKind, this.zhang, i, "俭: 第" + i + "次", null))
				.block();
		}
		assertThat(this.ledger.verify(this.village.id()).block().intact()).isTrue();

		// Someone quietly raises an award in the second transaction, keeping the sum at
		// zero.
		services().count("""
				with changed as (
				  update journal_entry set amount = amount * 10, score_delta = score_delta * 10
				  where transaction_id = (select id from journal_transaction where seq = 2 and village_id = ?)
				  returning 1)
				select count(*) from changed""", this.village.id().value());

		Verification verification = this.ledger.verify(this.village.id()).block();
		assertThat(verification.intact()).isFalse();
		assertThat(verification.firstBroken().seq()).isEqualTo(2);
		assertThat(verification.firstBroken().reason()).contains("does not match its hash");
	}

	@Test
	void verificationNamesATransactionMovedToAnotherCategory() {
		this.ledger
			.post(Posting.award(this.village.id(), this.householdKind, this.zhang, 5, "照顾孤寡老人", null).inCategory("孝"))
			.block();
		this.ledger.post(Posting.award(this.village.id(), this.householdKind, this.zhang, 2, "清扫街巷", null)).block();
		assertThat(this.ledger.verify(this.village.id()).block().intact()).isTrue();

		services().count("with changed as (update journal_transaction set category = '善' where seq = 1 "
				+ "and village_id = ? returning 1) select count(*) from changed", this.village.id().value());

		Verification verification = this.ledger.verify(this.village.id()).block();
		assertThat(verification.intact()).isFalse();
		assertThat(verification.firstBroken().seq()).isEqualTo(1);
	}

	@Test
	void verificationNamesAnAccountWhoseBalanceWasEdited() {
		this.ledger.post(Posting.award(this.village.id(), this.householdKind, this.zhang, 5, "孝: 赡养老人", null)).block();
		services().count("with changed as (update account set score = 500 where household_id = ? returning 1) "
				+ "select count(*) from changed", this.zhang.value());

		Verification verification = this.ledger.verify(this.village.id()).block();
		assertThat(verification.intact()).isFalse();
		assertThat(verification.firstBroken().accountId()).isNotNull();
		assertThat(verification.firstBroken().reason()).contains("500");
	}

	@Test
	void supervisorsVerifyOverHttpAndVillagersReadTheirBalance() {
		this.ledger.post(Posting.award(this.village.id(), this.householdKind, this.zhang, 5, "孝: 赡养老人", null)).block();
		String supervisor = SignedIn.staff(this.http, this.accounts, "ledger-supervisor", Role.SUPERVISOR,
				this.village.id().value());
		var member = this.villages.household(this.zhang).block().members().get(0).id();
		String villager = SignedIn.villager(this.http, this.accounts, "ledger-villager", member);

		this.http.get()
			.uri("/api/v1/villages/{id}/ledger/verification", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + supervisor)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.intact")
			.isEqualTo(true)
			.jsonPath("$.transactions")
			.isEqualTo(1);
		this.http.get()
			.uri("/api/v1/villages/{id}/ledger/verification", this.village.id().value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + villager)
			.exchange()
			.expectStatus()
			.isForbidden();
		this.http.get()
			.uri("/api/v1/households/{id}/balances", this.zhang.value())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + villager)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$[0].kindCode")
			.isEqualTo("household")
			.jsonPath("$[0].score")
			.isEqualTo(5)
			.jsonPath("$[0].available")
			.isEqualTo(5);
	}

}
