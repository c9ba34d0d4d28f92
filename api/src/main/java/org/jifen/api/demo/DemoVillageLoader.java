package org.jifen.api.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.catalog.Catalog;
import org.jifen.api.claims.Claim;
import org.jifen.api.claims.Claims;
import org.jifen.api.claims.NewClaim;
import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Caller;
import org.jifen.api.identity.Grant;
import org.jifen.api.identity.Role;
import org.jifen.api.shared.DomainException;
import org.jifen.api.village.HouseholdSummary;
import org.jifen.api.village.NewHousehold;
import org.jifen.api.village.Region;
import org.jifen.api.village.RegionLevel;
import org.jifen.api.village.Villages;
import org.jifen.api.web.PageRequest;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Loads a demo county once: 淄川区 › 寨里镇 with two villages of 200 households each, their
 * groups and members. Runs when {@code jifen.demo.enabled} is true (the embedded default
 * sets it) and the database holds no region yet, so a restart never loads it twice.
 *
 * <p>
 * Loading runs after start-up; until it is done the {@code demo} health contributor
 * reports OUT_OF_SERVICE, so {@code /actuator/health} is UP only once the demo is
 * readable.
 */
@Component("demoHealthIndicator")
@ConditionalOnBooleanProperty("jifen.demo.enabled")
class DemoVillageLoader implements ReactiveHealthIndicator {

	private static final Logger log = LoggerFactory.getLogger(DemoVillageLoader.class);

	static final int HOUSEHOLDS_PER_VILLAGE = 200;

	static final String DEMO_PASSWORD = "jifen-demo";

	/** How many households of each village get a deed scored each month. */
	static final int CLAIMED_HOUSEHOLDS = 60;

	/** How many past months of history the demo plays. */
	static final int HISTORY_MONTHS = 6;

	private static final String SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";

	private static final String GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国志红玉梅文春海燕金凤荣庆福顺德利民兴旺";

	/**
	 * The demo's staff accounts: username, display name, role, and the region code it is
	 * held in.
	 */
	private static final List<List<String>> STAFF = List.of(
			List.of("zhaili-admin", "寨里村两委", "VILLAGE_ADMIN", "370302107201"),
			List.of("zhaili-reviewer", "寨里村评议小组", "REVIEWER", "370302107201"),
			List.of("zhaili-supervisor", "寨里村务监督委员会", "SUPERVISOR", "370302107201"),
			List.of("dongping-admin", "东坪村两委", "VILLAGE_ADMIN", "370302107202"),
			List.of("town-admin", "寨里镇管理员", "TOWN_ADMIN", "370302107"),
			List.of("county-admin", "淄川区管理员", "COUNTY_ADMIN", "370302"));

	private final Villages villages;

	private final Accounts accounts;

	private final Catalog catalog;

	private final Claims claims;

	private final Environment environment;

	private final DemoClock clock;

	private volatile Health health = Health.outOfService().withDetail("demo", "loading").build();

	DemoVillageLoader(Villages villages, Accounts accounts, Catalog catalog, Claims claims, Environment environment,
			DemoClock clock) {
		this.clock = clock;
		this.villages = villages;
		this.accounts = accounts;
		this.catalog = catalog;
		this.claims = claims;
		this.environment = environment;
	}

	@Override
	public Mono<Health> health() {
		return Mono.fromSupplier(() -> this.health);
	}

	/**
	 * Spring subscribes to the returned Mono; the loading happens off the start-up
	 * thread.
	 */
	@EventListener(ApplicationReadyEvent.class)
	Mono<Void> load() {
		return this.villages.anyRegion()
			.flatMap((loaded) -> loaded
					? Mono.fromRunnable(() -> log.info("Demo data already present; not loading it again"))
					: loadCounty())
			.then(Mono.fromRunnable(() -> {
				this.health = Health.up().build();
				printWhatToTry();
			}))
			.onErrorResume((error) -> {
				log.error("Loading the demo village failed", error);
				this.health = Health.down(new IllegalStateException(error.getMessage())).build();
				return Mono.empty();
			})
			.then();
	}

	private Mono<Void> loadCounty() {
		log.info("Loading the demo county 淄川区 › 寨里镇 with two villages of {} households each", HOUSEHOLDS_PER_VILLAGE);
		Random random = new Random(20231001L);
		Map<String, Region> regions = new HashMap<>();
		return this.villages.createRegion(null, RegionLevel.COUNTY, "370302", "淄川区")
			.doOnNext((county) -> regions.put(county.code(), county))
			.flatMap((county) -> this.villages.createRegion(county.id(), RegionLevel.TOWN, "370302107", "寨里镇"))
			.doOnNext((town) -> regions.put(town.code(), town))
			.flatMapMany((town) -> Flux.concat(village(town, "370302107201", "寨里村", random),
					village(town, "370302107202", "东坪村", random)))
			.doOnNext((village) -> regions.put(village.code(), village))
			.then(Mono.defer(() -> accounts(regions)));
	}

	/** Staff of every role, and two villagers of 寨里村 who sign in with the dev codes. */
	private Mono<Void> accounts(Map<String, Region> regions) {
		String password = this.environment.getProperty("jifen.demo.password", DEMO_PASSWORD);
		Region zhaili = regions.get("370302107201");
		Map<String, Caller> staffByName = new HashMap<>();
		return Flux.fromIterable(STAFF).concatMap((staff) -> {
			List<Grant> grants = List
				.of(Grant.inRegion(Role.valueOf(staff.get(2)), regions.get(staff.get(3)).id().value()));
			return this.accounts.createStaff(staff.get(0), staff.get(1), password, grants)
				.doOnNext((id) -> staffByName.put(staff.get(0), new Caller(id, null, staff.get(1), grants)));
		})
			// The villagers first, so that the months of points reach their inboxes.
			.then(Mono.defer(() -> this.villages.households(zhaili.id(), PageRequest.of(null, 2))))
			.flatMap((page) -> this.villages.household(page.items().get(0).id())
				.flatMap((first) -> this.accounts.bindVillager("dev-openid-villager", first.members().get(0).id(),
						List.of()))
				.then(this.villages.household(page.items().get(1).id()))
				.flatMap((second) -> this.accounts.bindVillager("dev-openid-volunteer", second.members().get(0).id(),
						List.of(Grant.inRegion(Role.VOLUNTEER, zhaili.id().value())))))
			.then(Mono.defer(() -> points(zhaili, staffByName.get("zhaili-admin"))))
			.then(Mono.defer(() -> points(regions.get("370302107202"), staffByName.get("dongping-admin"))))
			.then();
	}

	/**
	 * The village's catalog and its last half year of the public workflow: each month the
	 * first households' deeds are recorded, approved, published and made effective on the
	 * dates they would have had (on the demo clock), so balances have months, quarters
	 * and history to show. Of this month's round some claims are still in public notice
	 * and some wait for review, and a few households have a deduction waiting for
	 * rectification.
	 */
	private Mono<Void> points(Region village, Caller admin) {
		// Seeded by the village's code, not its id, so every demo village plays the same
		// history wherever its ids start.
		Random random = new Random(village.code().hashCode());
		Instant now = Instant.now();
		return Flux.fromIterable(DemoCatalog.ITEMS)
			.concatMap((item) -> this.catalog.save(village.id(), item, admin.actor()))
			.then(this.villages.households(village.id(), PageRequest.of(null, CLAIMED_HOUSEHOLDS + 5)))
			.flatMap((page) -> {
				int split = Math.min(CLAIMED_HOUSEHOLDS, page.items().size());
				var claimed = page.items().subList(0, split);
				var onTheBoard = page.items().subList(split, page.items().size());
				return Flux.range(0, HISTORY_MONTHS)
					.map((month) -> now.minus(Duration.ofDays(30L * (HISTORY_MONTHS - month) - 10)))
					.concatMap((recorded) -> Mono.fromRunnable(() -> this.clock.travelTo(recorded))
						.then(round(village, admin, claimed, random, false))
						.then(closeNoticesAt(recorded.plus(Duration.ofDays(8))))
						.then(closeNoticesAt(recorded.plus(Duration.ofDays(16)))))
					.then(Mono.fromRunnable(this.clock::backToNow))
					.then(round(village, admin, claimed, random, true))
					.thenMany(Flux.fromIterable(onTheBoard))
					.concatMap((household) -> this.claims
						.submit(admin, village.id(),
								new NewClaim(household.id().value(), "mei-k1", Claim.Source.ORGANISATION,
										"门前堆放秸秆，逾期未整改", null))
						.flatMap((claim) -> this.claims.approve(admin, claim.id(), "经网格员核实")))
					.then();
			})
			.doFinally((signal) -> this.clock.backToNow());
	}

	/**
	 * One round of deeds for the households, approved by the village admin; in the
	 * current round every tenth waits for review. A deed over its item's cap is simply
	 * not recorded, as the reviewer would have refused it.
	 */
	private Mono<Void> round(Region village, Caller admin, List<HouseholdSummary> households, Random random,
			boolean current) {
		return Flux.fromIterable(households).index().concatMap((numbered) -> {
			DemoClaim demo = DemoClaim.pick(random);
			Mono<Claim> submitted = this.claims.submit(admin, village.id(), new NewClaim(numbered.getT2().id().value(),
					demo.code(), Claim.Source.ORGANISATION, demo.description(), null));
			Mono<?> decided = (current && numbered.getT1() % 10 == 9) ? submitted
					: submitted.flatMap((claim) -> this.claims.approve(admin, claim.id(), "经评议小组核实"));
			return decided.then().onErrorResume(DomainException.class, (refused) -> Mono.empty());
		}).then();
	}

	private Mono<Long> closeNoticesAt(Instant moment) {
		return Mono.fromRunnable(() -> this.clock.travelTo(moment)).then(this.claims.closeDue(moment));
	}

	private Mono<Region> village(Region town, String code, String name, Random random) {
		return this.villages.createRegion(town.id(), RegionLevel.VILLAGE, code, name)
			.flatMap((village) -> Flux.range(1, 4)
				.concatMap((group) -> this.villages.createRegion(village.id(), RegionLevel.GROUP, code + "-" + group,
						"第" + "一二三四".charAt(group - 1) + "村民小组"))
				.collectList()
				.flatMap((groups) -> {
					List<NewHousehold> households = new ArrayList<>();
					for (int i = 1; i <= HOUSEHOLDS_PER_VILLAGE; i++) {
						households.add(household(groups.get((i - 1) % groups.size()), i, random));
					}
					return this.villages.registerHouseholds(village.id(), households);
				})
				.thenReturn(village));
	}

	private static NewHousehold household(Region group, int number, Random random) {
		char surname = SURNAMES.charAt(random.nextInt(SURNAMES.length()));
		String head = surname + givenName(random);
		int headBorn = 1950 + random.nextInt(40);
		List<NewHousehold.NewMember> members = new ArrayList<>();
		members.add(new NewHousehold.NewMember(head, "户主", headBorn));
		members.add(new NewHousehold.NewMember(SURNAMES.charAt(random.nextInt(SURNAMES.length())) + givenName(random),
				"配偶", headBorn + random.nextInt(5)));
		int children = random.nextInt(3);
		for (int c = 0; c < children; c++) {
			members
				.add(new NewHousehold.NewMember(surname + givenName(random), "子女", headBorn + 22 + random.nextInt(10)));
		}
		if (random.nextInt(4) == 0) {
			members
				.add(new NewHousehold.NewMember(surname + givenName(random), "父母", headBorn - 25 - random.nextInt(5)));
		}
		return new NewHousehold(group.id(), String.format("%03d", number), head,
				group.name() + String.format("%d号", number), members);
	}

	private static String givenName(Random random) {
		int length = 1 + random.nextInt(2);
		StringBuilder name = new StringBuilder();
		for (int i = 0; i < length; i++) {
			name.append(GIVEN.charAt(random.nextInt(GIVEN.length())));
		}
		return name.toString();
	}

	private void printWhatToTry() {
		String base = "http://localhost:" + this.environment.getProperty("local.server.port", "8080");
		log.info(
				"""

						  Jifen is running with the demo county 淄川区 › 寨里镇.
						    Swagger UI:  {}/swagger-ui.html
						    Health:      curl {}/actuator/health
						    Regions:     curl {}/api/v1/regions
						    Sign in:     curl -X POST {}/api/v1/auth/login -H 'Content-Type: application/json' \\
						                   -d '{"username":"zhaili-admin","password":"jifen-demo"}'
						    Villager:    curl -X POST {}/api/v1/auth/wechat -H 'Content-Type: application/json' -d '{"code":"dev-villager"}'
						    Then:        curl -H "Authorization: Bearer $TOKEN" '{}/api/v1/villages/3/households?limit=5'
						               (also /api/v1/villages/3/notices, /api/v1/villages/3/catalog, /api/v1/households/1/history)
						  Staff: zhaili-admin, zhaili-reviewer, zhaili-supervisor, dongping-admin, town-admin, county-admin
						""",
				base, base, base, base, base, base);
	}

}
