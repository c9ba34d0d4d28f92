package org.jifen.api.donations;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Caller;
import org.jifen.api.identity.Grant;
import org.jifen.api.identity.Role;
import org.jifen.api.ledger.Ledger;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.shared.DomainException;
import org.jifen.api.support.Fixtures;
import org.jifen.api.support.IntegrationTest;
import org.jifen.api.support.MovableClock;
import org.jifen.api.support.SignedIn;
import org.jifen.api.village.Household;
import org.jifen.api.village.Region;
import org.jifen.api.village.Villages;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Donation caps count by the village's own day and month (Asia/Shanghai), not UTC's. */
class DonationCapsIT extends IntegrationTest {

	private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

	/**
	 * 2027-01-31 in Shanghai: the last day of a month, so the next day is a new month
	 * too.
	 */
	private static final LocalDate LAST_DAY = LocalDate.of(2027, 1, 31);

	@Autowired
	private MovableClock clock;

	@Autowired
	private Villages villages;

	@Autowired
	private Accounts accounts;

	@Autowired
	private Ledger ledger;

	@Autowired
	private PointKinds kinds;

	@Autowired
	private Donations donations;

	private Region village;

	private Household recipient;

	private Caller donor;

	@BeforeEach
	void aDonorUnderTheVillagesCaps() {
		services().wipe();
		this.clock.set(LAST_DAY.atTime(12, 0).atZone(SHANGHAI).toInstant());
		this.village = Fixtures.village(this.villages, "caps");
		Household giver = Fixtures.registered(this.villages, this.village, Fixtures.household("001", "张三"));
		this.recipient = Fixtures.registered(this.villages, this.village, Fixtures.household("002", "李秀英"));
		Fixtures.award(this.ledger, this.kinds, this.village, giver, 1000, "参加义务劳动");
		long user = this.accounts.bindVillager("dev-openid-caps", giver.members().get(0).id(), List.of()).block();
		this.donor = new Caller(user, giver.members().get(0).id().value(), "caps",
				List.of(Grant.inRegion(Role.VILLAGER, this.village.id().value())));
		Caller admin = SignedIn.staffCaller(this.accounts, "caps-admin", Role.VILLAGE_ADMIN, this.village.id().value());
		this.donations.savePolicy(admin, this.village.id(), new DonationPolicy(100, 150, 1, false)).block();
	}

	@Test
	void theDailyCapRenewsAtMidnightInShanghaiAndTheMonthlyCapAtTheNewMonth() {
		at(23, 58);
		give(60);
		assertThatThrownBy(() -> give(50)).isInstanceOfSatisfying(DomainException.class, (refused) -> {
			assertThat(refused.type()).isEqualTo("donation-cap-reached");
			assertThat(refused.arguments()).containsEntry("leftToday", 40L).containsEntry("leftThisMonth", 90L);
		});
		// 00:01 in Shanghai is still 16:01 UTC of the same day: the village's day counts.
		this.clock.set(LAST_DAY.plusDays(1).atTime(0, 1).atZone(SHANGHAI).toInstant());
		give(100);
		assertThatThrownBy(() -> give(1)).isInstanceOf(DomainException.class);
		assertThat(services().count("select count(*) from donation")).isEqualTo(2);
	}

	private void at(int hour, int minute) {
		this.clock.set(LAST_DAY.atTime(hour, minute).atZone(SHANGHAI).toInstant());
	}

	private void give(long points) {
		this.donations
			.donate(this.donor, this.village.id(),
					new Donations.NewDonation(this.recipient.id().value(), null, points, null, false, null), null)
			.block();
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Clocks {

		@Bean
		@Primary
		MovableClock movableClock() {
			return new MovableClock(Instant.now());
		}

	}

}
