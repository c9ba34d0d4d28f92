package org.jifen.api.claims;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.audit.AuditTrail;
import org.jifen.api.catalog.Catalog;
import org.jifen.api.catalog.CatalogItem;
import org.jifen.api.claims.Claim.Source;
import org.jifen.api.claims.Claim.Status;
import org.jifen.api.identity.Access;
import org.jifen.api.identity.Caller;
import org.jifen.api.identity.Role;
import org.jifen.api.ledger.Ledger;
import org.jifen.api.ledger.PointKinds;
import org.jifen.api.ledger.Posting;
import org.jifen.api.outbox.Outbox;
import org.jifen.api.shared.Actor;
import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.jifen.api.shared.ShortCache;
import org.jifen.api.village.HouseholdId;
import org.jifen.api.village.MemberId;
import org.jifen.api.village.RegionId;
import org.jifen.api.village.Villages;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * The public workflow from claim to ledger. Submitted → approved (in public notice) or
 * rejected; an objection during the notice sends it back to review; when the notice ends
 * the points are posted and the claim is effective. A deduction first asks the household
 * to rectify by a deadline: rectified in time, nothing is deducted.
 */
@Service
public class Claims {

	private static final Logger log = LoggerFactory.getLogger(Claims.class);

	private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

	private final ClaimRepository repository;

	private final Catalog catalog;

	private final Villages villages;

	private final Access access;

	private final Ledger ledger;

	private final PointKinds kinds;

	private final AuditTrail auditTrail;

	private final TransactionalOperator transactions;

	private final Clock clock;

	private final Evidence evidence;

	private final Outbox outbox;

	/**
	 * Every approval reads its village's notice and rectification days. A save here
	 * forgets them at once; another instance's save shows within the time to live.
	 */
	private final ShortCache<Long, ClaimRepository.Settings> villageSettings = new ShortCache<>(Duration.ofSeconds(30),
			100_000);

	Claims(ClaimRepository repository, Catalog catalog, Villages villages, Access access, Ledger ledger,
			PointKinds kinds, AuditTrail auditTrail, TransactionalOperator transactions, Clock clock, Evidence evidence,
			Outbox outbox) {
		this.evidence = evidence;
		this.outbox = outbox;
		this.repository = repository;
		this.catalog = catalog;
		this.villages = villages;
		this.access = access;
		this.ledger = ledger;
		this.kinds = kinds;
		this.auditTrail = auditTrail;
		this.transactions = transactions;
		this.clock = clock;
	}

	public Mono<Claim> find(Caller caller, long claimId) {
		return claim(claimId)
			.flatMap((claim) -> this.access.requireRead(caller, new RegionId(claim.villageId())).thenReturn(claim));
	}

	/**
	 * The claim a ledger posting came from, if it came from one (request id
	 * {@code claim-<id>}).
	 */
	public Mono<Claim> claimOfPosting(@Nullable String requestId) {
		if (requestId == null || !requestId.matches("claim-\\d+")) {
			return Mono.empty();
		}
		return this.repository.find(Long.parseLong(requestId.substring("claim-".length())));
	}

	@Transactional
	public Mono<Claim> submit(Caller caller, RegionId village, NewClaim request) {
		return submit(caller, village, request, null);
	}

	/**
	 * Submits a claim once per idempotency key: a retry whose first attempt committed
	 * answers that claim, even when the idempotency record of the first attempt was lost
	 * (the server or the database went away between the commit and the record).
	 */
	@Transactional
	public Mono<Claim> submit(Caller caller, RegionId village, NewClaim request, @Nullable String idempotencyKey) {
		Mono<Claim> fresh = this.villages.place(new HouseholdId(request.householdId()))
			.filter((place) -> place.village().equals(village))
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.NOT_FOUND, "household-not-found",
					"There is no household " + request.householdId() + " in this village.",
					Map.of("householdId", request.householdId()))))
			.then(currentItem(village, request.itemCode()))
			.flatMap((item) -> mayClaim(caller, village, request, item)
				.then(withinCap(village, request.householdId(), item))
				.then(this.repository.insert(village.value(), request.householdId(), item.id(), item.points(),
						request.source(), request.description(), caller.userId(), request.onBehalfOfMemberId(),
						this.clock.instant(), idempotencyKey))
				.flatMap((claim) -> audited(caller, village, request, claim)));
		if (idempotencyKey == null) {
			return fresh;
		}
		// The insert finds nothing to do only when a concurrent twin committed first.
		Mono<Claim> earlier = Mono.defer(() -> this.repository.findSubmitted(caller.userId(), idempotencyKey));
		return earlier.switchIfEmpty(fresh).switchIfEmpty(earlier);
	}

	private Mono<Claim> audited(Caller caller, RegionId village, NewClaim request, Claim claim) {
		return (request.source() == Source.ORGANISATION || request.onBehalfOfMemberId() != null)
				? this.auditTrail
					.record(new Actor(caller.userId(), request.onBehalfOfMemberId()), village.value(),
							"claim.submitted", "claim:" + claim.id(), null, Map.of("household", claim.householdId(),
									"points", claim.points(), "source", claim.source().name()))
					.thenReturn(claim)
				: Mono.just(claim);
	}

	@Transactional
	public Mono<Claim> approve(Caller caller, long claimId, String reason) {
		return claim(claimId).flatMap((claim) -> approve(caller, claim, reason));
	}

	/**
	 * {@link #approve(Caller, long, String)} of a claim the caller has just read: its
	 * village and household never change, and the transition checks its status again.
	 */
	@Transactional
	public Mono<Claim> approve(Caller caller, Claim read, String reason) {
		long claimId = read.id();
		return decidable(caller, read)
			.flatMap((claim) -> evidenceIfRequired(claim).then(settings(claim.villageId())).flatMap((settings) -> {
				Instant now = this.clock.instant();
				boolean deduction = claim.points() < 0;
				if (deduction && claim.status() == Status.SUBMITTED) {
					return this.repository.transition(claimId, List.of(Status.SUBMITTED), Status.RECTIFICATION,
							caller.userId(), reason, now.plus(settings.rectifyDays(), ChronoUnit.DAYS), null);
				}
				return this.repository.transition(claimId, List.of(Status.SUBMITTED, Status.OBJECTED), Status.IN_NOTICE,
						caller.userId(), reason, null, now.plus(settings.noticeDays(), ChronoUnit.DAYS));
			})
				.switchIfEmpty(Mono.error(() -> illegal(claim, "approve")))
				.flatMap((decided) -> audit(caller, decided, "claim.approved", claim.status())
					.then(publish(decided, approvedEvent(decided)))
					.thenReturn(decided)));
	}

	/**
	 * The organisation's record of many households at once (the village's monthly batch,
	 * a quarterly scoring of every yard): every row valid, or nothing is written and
	 * every bad row is named with its reason. Caps count the rows before each one.
	 */
	@Transactional
	public Mono<List<Claim>> submitBatch(Caller caller, RegionId village, List<BatchClaim> rows) {
		LocalDate today = LocalDate.now(this.clock.withZone(SHANGHAI));
		Mono<Map<String, CatalogItem>> activeItems = this.catalog.current(village)
			.filter((item) -> item.activeOn(today))
			.collectMap(CatalogItem::code);
		Mono<Set<Long>> households = this.villages.householdsIn(village,
				rows.stream().map(BatchClaim::householdId).toList());
		return this.access.requireReviewer(caller, village)
			.then(Mono.zip(activeItems, households, this.villages.region(village)))
			.flatMap((found) -> {
				Map<String, CatalogItem> items = found.getT1();
				List<BadRow> bad = new ArrayList<>();
				List<Integer> valid = new ArrayList<>();
				for (int i = 0; i < rows.size(); i++) {
					BatchClaim row = rows.get(i);
					if (!found.getT2().contains(row.householdId())) {
						bad.add(new BadRow(i + 1, "household-not-found",
								"There is no household " + row.householdId() + " in this village."));
					}
					else if (!items.containsKey(row.itemCode())) {
						bad.add(new BadRow(i + 1, "catalog-item-not-active",
								"The catalog has no active item " + row.itemCode() + "."));
					}
					else {
						valid.add(i);
					}
				}
				return overCaps(village, rows, valid, items, ZoneId.of(found.getT3().timeZone())).flatMap((overCap) -> {
					bad.addAll(overCap);
					if (!bad.isEmpty()) {
						bad.sort(Comparator.comparingInt(BadRow::row));
						return Mono.error(batchRejected(bad));
					}
					return this.repository.insertAll(village.value(), rows.stream().map((row) -> {
						CatalogItem item = items.get(row.itemCode());
						return new ClaimRepository.BatchRow(row.householdId(), item.id(), item.points(),
								row.description());
					}).toList(), caller.userId(), this.clock.instant()).collectList();
				});
			})
			.flatMap((submitted) -> this.auditTrail
				.recordAll(caller.actor(), village.value(), "claim.submitted",
						submitted.stream()
							.map((claim) -> new AuditTrail.Change("claim:" + claim.id(), null,
									Map.of("household", claim.householdId(), "points", claim.points(), "source",
											claim.source().name())))
							.toList())
				.thenReturn(submitted));
	}

	/**
	 * A row of {@link #submitBatch}: what the organisation records about one household.
	 */
	public record BatchClaim(long householdId, String itemCode, String description) {
	}

	/**
	 * The rows of a batch (of those at the given positions) that would pass their item's
	 * cap: each counts what its household already claimed from the item this period plus
	 * the batch's rows before it.
	 */
	private Mono<List<BadRow>> overCaps(RegionId village, List<BatchClaim> rows, List<Integer> positions,
			Map<String, CatalogItem> items, ZoneId zone) {
		Map<String, List<Long>> householdsPerCappedItem = new HashMap<>();
		for (int i : positions) {
			CatalogItem item = items.get(rows.get(i).itemCode());
			if (item.capPoints() != null && item.capPeriod() != null) {
				householdsPerCappedItem.computeIfAbsent(item.code(), (code) -> new ArrayList<>())
					.add(rows.get(i).householdId());
			}
		}
		return Flux.fromIterable(householdsPerCappedItem.entrySet()).concatMap((capped) -> {
			CatalogItem item = items.get(capped.getKey());
			return this.repository
				.pointsClaimedSince(capped.getValue(), village.value(), item.code(),
						periodStart(item.capPeriod(), zone))
				.map((claimed) -> Map.entry(item.code(), new HashMap<>(claimed)));
		}).collectMap(Map.Entry::getKey, Map.Entry::getValue).map((claimedPerItem) -> {
			List<BadRow> bad = new ArrayList<>();
			for (int i : positions) {
				BatchClaim row = rows.get(i);
				Map<Long, Long> claimed = claimedPerItem.get(row.itemCode());
				if (claimed == null) {
					continue;
				}
				CatalogItem item = items.get(row.itemCode());
				long left = item.capPoints() - claimed.getOrDefault(row.householdId(), 0L);
				if (Math.abs(item.points()) > left) {
					bad.add(new BadRow(i + 1, "cap-reached", capReached(item, left)));
				}
				else {
					claimed.merge(row.householdId(), (long) Math.abs(item.points()), Long::sum);
				}
			}
			return bad;
		});
	}

	/**
	 * The review meeting's decision on many claims of a village at once: every claim
	 * decidable by this reviewer, or nothing changes and every refused claim is named.
	 * Awards go into public notice, first-time deductions to rectification, as one by
	 * one.
	 */
	@Transactional
	public Mono<List<Claim>> approveAll(Caller caller, RegionId village, List<Long> claimIds, @Nullable String reason) {
		List<Long> ids = claimIds.stream().distinct().toList();
		Mono<Optional<Long>> ownHousehold = (caller.memberId() != null)
				? this.villages.memberHome(new MemberId(caller.memberId()))
					.map((home) -> Optional.of(home.householdId().value()))
				: Mono.just(Optional.empty());
		return this.access.requireReviewer(caller, village)
			.then(Mono.zip(this.repository.lockAll(village.value(), ids).collectMap(Claim::id), ownHousehold))
			.flatMap((found) -> missingEvidence(found.getT1().values()).flatMap((withoutPhotos) -> {
				Map<Long, Claim> locked = found.getT1();
				List<BadRow> bad = new ArrayList<>();
				Set<Long> seen = new HashSet<>();
				for (int i = 0; i < claimIds.size(); i++) {
					long id = claimIds.get(i);
					if (!seen.add(id)) {
						continue;
					}
					Claim claim = locked.get(id);
					if (claim == null) {
						bad.add(new BadRow(i + 1, "claim-not-found", "There is no claim " + id + " in this village."));
					}
					else if (claim.status() != Status.SUBMITTED && claim.status() != Status.OBJECTED) {
						bad.add(new BadRow(i + 1, "illegal-transition", illegal(claim, "approve").getMessage()));
					}
					else if (found.getT2().filter((own) -> own == claim.householdId()).isPresent()) {
						bad.add(new BadRow(i + 1, "conflict-of-interest",
								"You cannot decide a claim about your own household."));
					}
					else if (withoutPhotos.contains(id)) {
						bad.add(new BadRow(i + 1, "evidence-required",
								"This item needs an evidence photo before it can be approved."));
					}
				}
				if (!bad.isEmpty()) {
					return Mono.error(batchRejected(bad));
				}
				return settings(village.value()).flatMap((settings) -> {
					Instant now = this.clock.instant();
					return this.repository
						.approveAll(ids, caller.userId(), reason, now.plus(settings.rectifyDays(), ChronoUnit.DAYS),
								now.plus(settings.noticeDays(), ChronoUnit.DAYS))
						.collectList();
				})
					.flatMap((decided) -> this.auditTrail
						.recordAll(caller.actor(), village.value(), "claim.approved",
								decided.stream()
									.map((claim) -> new AuditTrail.Change("claim:" + claim.id(),
											Map.of("status", locked.get(claim.id()).status().name()),
											Map.of("status", claim.status().name())))
									.toList())
						.then(this.outbox.appendAll(village, decided.stream().map(Claims::approvedEvent).toList()))
						.thenReturn(decided));
			}));
	}

	/** The claims whose item needs a photo and that have none. */
	private Mono<Set<Long>> missingEvidence(Collection<Claim> claims) {
		return Flux.fromIterable(claims)
			.filterWhen((claim) -> this.catalog.item(claim.itemId()).map(CatalogItem::evidenceRequired))
			.map(Claim::id)
			.collectList()
			.flatMap((needPhotos) -> this.evidence.withEvidence(needPhotos).map((withPhotos) -> {
				Set<Long> missing = new HashSet<>(needPhotos);
				missing.removeAll(withPhotos);
				return missing;
			}));
	}

	/**
	 * A row of a batch that cannot be carried out, with the refusal's type and reason.
	 */
	private record BadRow(int row, String type, String reason) {
	}

	private static DomainException batchRejected(List<BadRow> rows) {
		return new DomainException(Kind.REFUSED, "batch-rejected",
				rows.size() + " rows of the batch cannot be carried out; nothing was changed.",
				Map.of("rows",
						rows.stream()
							.map((row) -> Map.of("row", row.row(), "type", row.type(), "reason", row.reason()))
							.toList()));
	}

	/** How long a village's public notice and rectification last, in days. */
	public Mono<Settings> settings(Caller caller, RegionId village) {
		return this.access.requireRead(caller, village)
			.then(this.villages.village(village))
			.then(settings(village.value()))
			.map((saved) -> new Settings(saved.noticeDays(), saved.rectifyDays()));
	}

	@Transactional
	public Mono<Settings> saveSettings(Caller caller, RegionId village, Settings settings) {
		return this.access.requireAdmin(caller, village)
			.then(this.villages.village(village))
			.then(this.repository.settings(village.value()))
			.flatMap((before) -> this.repository
				.saveSettings(village.value(), settings.noticeDays(), settings.rectifyDays())
				.flatMap((after) -> this.villageSettings.forgetOnCommit(village.value()).thenReturn(after))
				.flatMap((after) -> this.auditTrail
					.record(caller.actor(), village.value(), "village-settings.saved", "village:" + village.value(),
							Map.of("noticeDays", before.noticeDays(), "rectifyDays", before.rectifyDays()),
							Map.of("noticeDays", after.noticeDays(), "rectifyDays", after.rectifyDays()))
					.thenReturn(new Settings(after.noticeDays(), after.rectifyDays()))));
	}

	/**
	 * A village's workflow rules: days of public notice, days to rectify before a
	 * deduction.
	 */
	public record Settings(int noticeDays, int rectifyDays) {
	}

	private Mono<ClaimRepository.Settings> settings(long villageId) {
		return this.villageSettings.get(villageId, this.repository::settings);
	}

	/** Items that require evidence are approved only with at least one photo. */
	private Mono<Void> evidenceIfRequired(Claim claim) {
		return this.catalog.item(claim.itemId())
			.filter(CatalogItem::evidenceRequired)
			.flatMap((item) -> this.evidence.withEvidence(List.of(claim.id())))
			.filter((withPhotos) -> withPhotos.isEmpty())
			.flatMap((missing) -> Mono.error(new DomainException(Kind.REFUSED, "evidence-required",
					"This item needs an evidence photo before it can be approved.", Map.of("claimId", claim.id()))));
	}

	@Transactional
	public Mono<Claim> reject(Caller caller, long claimId, String reason) {
		return claim(claimId).flatMap((claim) -> reject(caller, claim, reason));
	}

	/**
	 * {@link #reject(Caller, long, String)} of a claim the caller has just read (see
	 * {@link #approve(Caller, Claim, String)}).
	 */
	@Transactional
	public Mono<Claim> reject(Caller caller, Claim read, String reason) {
		long claimId = read.id();
		return decidable(caller, read).flatMap((claim) -> this.repository
			.transition(claimId, List.of(Status.SUBMITTED, Status.OBJECTED), Status.REJECTED, caller.userId(), reason,
					null, null)
			.switchIfEmpty(Mono.error(() -> illegal(claim, "reject")))
			.flatMap((decided) -> audit(caller, decided, "claim.rejected", claim.status())
				.then(announce("claim.rejected", decided, decided.description(), reason))
				.thenReturn(decided)));
	}

	/**
	 * Any villager (or official) of the village may object while a claim is in public
	 * notice.
	 */
	@Transactional
	public Mono<Claim> object(Caller caller, long claimId, String reason) {
		return claim(claimId).flatMap((claim) -> this.access.requireRead(caller, new RegionId(claim.villageId()))
			.then(this.repository.transition(claimId, List.of(Status.IN_NOTICE), Status.OBJECTED, null, null, null,
					null))
			.switchIfEmpty(Mono.error(() -> illegal(claim, "object to")))
			.flatMap((objected) -> this.repository.insertObjection(claimId, caller.userId(), reason)
				.then(announce("claim.objected", objected, objected.description()))
				.thenReturn(objected)));
	}

	/**
	 * The household fixed what the deduction was for, before the deadline: nothing is
	 * deducted.
	 */
	@Transactional
	public Mono<Claim> rectified(Caller caller, long claimId) {
		return claim(claimId).flatMap((claim) -> this.access.requireAdmin(caller, new RegionId(claim.villageId()))
			.then(Mono.defer(() -> (claim.status() == Status.RECTIFICATION && claim.rectifyBy() != null
					&& claim.rectifyBy().isAfter(this.clock.instant()))
							? this.repository.transition(claimId, List.of(Status.RECTIFICATION), Status.RECTIFIED,
									caller.userId(), null, null, null)
							// Put right after the deduction took effect: off the black
							// board.
							: this.repository.markRectifiedAfterEffect(claimId, this.clock.instant())))
			.switchIfEmpty(Mono.error(() -> illegal(claim, "mark rectified")))
			.flatMap((done) -> audit(caller, done, "claim.rectified", claim.status()).thenReturn(done)));
	}

	/**
	 * The claims now in public notice in a village, with household and item: the notice
	 * board.
	 */
	public Flux<Notice> noticeBoard(Caller caller, RegionId village) {
		return this.access.requireRead(caller, village)
			.thenMany(this.repository.inNotice(village.value()))
			.concatMap((claim) -> this.villages.household(new HouseholdId(claim.householdId()))
				.zipWith(this.catalog.item(claim.itemId()),
						(household, item) -> new Notice(claim, household.number(), household.headName(), item)));
	}

	/**
	 * Effective deductions of a village since a moment whose households have not put
	 * things right yet (the black board's lines).
	 */
	public Flux<Claim> blackMarks(RegionId village, Instant since) {
		return this.repository.blackMarks(village.value(), since);
	}

	/** A line of the public notice board. */
	public record Notice(Claim claim, String householdNumber, String headName, CatalogItem item) {
	}

	/**
	 * Moves every claim whose deadline has passed: unrectified deductions into public
	 * notice, and claims whose notice ended into the ledger. Each claim is its own
	 * transaction, locked with SKIP LOCKED, and posted with the claim as request id, so
	 * any number of instances may run this at once without posting anything twice.
	 */
	public Mono<Long> closeDue(Instant now) {
		Mono<Long> published = this.repository.due(Status.RECTIFICATION, now, 500)
			.concatMap((id) -> publishUnrectified(id, now).as(this.transactions::transactional))
			.count();
		// A few at once: claims of different villages post in parallel, those of one
		// village queue on its chain lock.
		Mono<Long> effective = this.repository.due(Status.IN_NOTICE, now, 500)
			.flatMap((id) -> makeEffective(id, now).as(this.transactions::transactional).onErrorResume((error) -> {
				// One claim that cannot post (a rule changed, a kind removed) must not
				// stop the rest;
				// it stays in notice and is retried on the next run.
				log.error("Claim {} could not become effective", id, error);
				return Mono.empty();
			}), 4)
			.count();
		return published.zipWith(effective, Long::sum);
	}

	private Mono<Claim> publishUnrectified(long claimId, Instant now) {
		return this.repository.lockDue(claimId, Status.RECTIFICATION, now)
			.flatMap((claim) -> settings(claim.villageId())
				.flatMap((settings) -> this.repository.transition(claimId, List.of(Status.RECTIFICATION),
						Status.IN_NOTICE, null, null, null, now.plus(settings.noticeDays(), ChronoUnit.DAYS))));
	}

	private Mono<Claim> makeEffective(long claimId, Instant now) {
		return this.repository.lockDue(claimId, Status.IN_NOTICE, now)
			.flatMap((claim) -> this.catalog.item(claim.itemId())
				.zipWith(this.kinds.defaultKind(new RegionId(claim.villageId())))
				.flatMap((itemAndKind) -> {
					CatalogItem item = itemAndKind.getT1();
					RegionId village = new RegionId(claim.villageId());
					HouseholdId household = new HouseholdId(claim.householdId());
					String memo = item.name() + " (" + item.code() + " v" + item.version() + ")";
					String requestId = "claim-" + claim.id();
					Posting posting = (claim.points() > 0)
							? Posting.award(village, itemAndKind.getT2().id(), household, claim.points(), memo,
									requestId)
							: Posting.deduction(village, itemAndKind.getT2().id(), household, -claim.points(), memo,
									requestId);
					return this.ledger.post(posting.inCategory(item.category()));
				})
				.flatMap((posted) -> this.repository.markEffective(claimId, posted.transactionId()))
				.thenReturn(claim));
	}

	private Mono<CatalogItem> currentItem(RegionId village, String code) {
		LocalDate today = LocalDate.now(this.clock.withZone(ZoneId.of("Asia/Shanghai")));
		return this.catalog.current(village)
			.filter((item) -> item.code().equals(code) && item.activeOn(today))
			.next()
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.REFUSED, "catalog-item-not-active",
					"The catalog has no active item " + code + ".", Map.of("itemCode", code))));
	}

	/** Who may put which claim forward. */
	private Mono<Void> mayClaim(Caller caller, RegionId village, NewClaim request, CatalogItem item) {
		if (request.source() == Source.SYSTEM) {
			return Mono.error(refused("source-not-allowed", "System claims are made by the system itself."));
		}
		if (item.isDeduction() && request.source() != Source.ORGANISATION) {
			return Mono.error(refused("source-not-allowed", "Deductions are recorded by the village organisation."));
		}
		if (request.source() == Source.ORGANISATION) {
			return this.access.requireReviewer(caller, village).then();
		}
		if (request.onBehalfOfMemberId() != null) {
			return this.access.actor(caller, request.onBehalfOfMemberId())
				.flatMap((actor) -> this.villages.memberHome(new MemberId(request.onBehalfOfMemberId())))
				.flatMap((home) -> (request.source() == Source.SELF_REPORT) == (home.householdId().value() == request
					.householdId()) ? Mono.<Void>empty()
							: Mono.error(refused("source-not-allowed",
									"A self-report is about one's own household; a recommendation about another.")));
		}
		if (caller.memberId() == null || !caller.holds(Role.VILLAGER)) {
			return Mono.error(new DomainException(Kind.FORBIDDEN, "forbidden",
					"Only villagers report or recommend; officials record claims as the organisation."));
		}
		return this.access.requireRead(caller, village)
			.then(this.villages.memberHome(new MemberId(caller.memberId())))
			.flatMap((home) -> {
				boolean own = home.householdId().value() == request.householdId() && home.villageId().equals(village);
				if (request.source() == Source.SELF_REPORT && !own) {
					return Mono.error(refused("source-not-allowed", "A self-report is about one's own household."));
				}
				if (request.source() == Source.NEIGHBOUR && own) {
					return Mono.error(refused("source-not-allowed", "Recommend a neighbour, not your own household."));
				}
				return Mono.empty();
			});
	}

	private Mono<Void> withinCap(RegionId village, long householdId, CatalogItem item) {
		if (item.capPoints() == null || item.capPeriod() == null) {
			return Mono.empty();
		}
		return this.villages.region(village).flatMap((region) -> {
			Instant since = periodStart(item.capPeriod(), ZoneId.of(region.timeZone()));
			return this.repository.pointsClaimedSince(List.of(householdId), village.value(), item.code(), since)
				.map((claimedPerHousehold) -> claimedPerHousehold.getOrDefault(householdId, 0L))
				.flatMap((claimed) -> {
					long left = item.capPoints() - claimed;
					return (Math.abs(item.points()) <= left) ? Mono.<Void>empty()
							: Mono.error(new DomainException(Kind.REFUSED, "cap-reached", capReached(item, left),
									Map.of("cap", item.capPoints(), "pointsLeft", Math.max(0, left))));
				});
		});
	}

	private Instant periodStart(CatalogItem.CapPeriod period, ZoneId zone) {
		LocalDate today = LocalDate.now(this.clock.withZone(zone));
		LocalDate start = switch (period) {
			case MONTH -> today.withDayOfMonth(1);
			case QUARTER -> today.withMonth(((today.getMonthValue() - 1) / 3) * 3 + 1).withDayOfMonth(1);
			case YEAR -> today.withDayOfYear(1);
		};
		return start.atStartOfDay(zone).toInstant();
	}

	/**
	 * A claim a reviewer of its village may decide: never one about their own household.
	 */
	private Mono<Claim> decidable(Caller caller, Claim claim) {
		long claimId = claim.id();
		return this.access.requireReviewer(caller, new RegionId(claim.villageId()))
			.then((caller.memberId() != null)
					? this.villages.memberHome(new MemberId(caller.memberId()))
						.filter((home) -> home.householdId().value() == claim.householdId())
						.flatMap((own) -> Mono.<Claim>error(new DomainException(Kind.FORBIDDEN, "conflict-of-interest",
								"You cannot decide a claim about your own household.", Map.of("claimId", claimId))))
					: Mono.<Claim>empty())
			.thenReturn(claim);
	}

	private Mono<Claim> claim(long claimId) {
		return this.repository.find(claimId)
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.NOT_FOUND, "claim-not-found",
					"There is no claim " + claimId + ".", Map.of("claimId", claimId))));
	}

	/**
	 * Tells the household (through the outbox, in this transaction) what became of its
	 * claim; the arguments fill the event type's text.
	 */
	private Mono<Void> announce(String type, Claim claim, Object... arguments) {
		return publish(claim, event(type, claim, arguments));
	}

	private Mono<Void> publish(Claim claim, Outbox.NewEvent event) {
		return this.outbox.append(event.type(), new RegionId(claim.villageId()), event.payload()).then();
	}

	private static Outbox.NewEvent event(String type, Claim claim, Object... arguments) {
		return new Outbox.NewEvent(type,
				Map.of("claimId", claim.id(), "householdId", claim.householdId(), "arguments", List.of(arguments)));
	}

	/** What the household is told when its claim is approved. */
	private static Outbox.NewEvent approvedEvent(Claim decided) {
		return (decided.status() == Status.RECTIFICATION)
				? event("rectification.notice", decided, decided.description(),
						LocalDate.ofInstant(decided.rectifyBy(), SHANGHAI).toString())
				: event("claim.approved", decided, decided.description(), Math.abs(decided.points()));
	}

	private Mono<Void> audit(Caller caller, Claim claim, String action, Status before) {
		return this.auditTrail.record(caller.actor(), claim.villageId(), action, "claim:" + claim.id(),
				Map.of("status", before.name()), Map.of("status", claim.status().name()));
	}

	private static DomainException illegal(Claim claim, String action) {
		return new DomainException(Kind.CONFLICT, "illegal-transition",
				"A claim that is " + claim.status().name().toLowerCase() + " cannot be " + action + "d now.",
				Map.of("claimStatus", claim.status().name()));
	}

	private static String capReached(CatalogItem item, long left) {
		return "This item is capped at " + item.capPoints() + " points per " + item.capPeriod().name().toLowerCase()
				+ "; " + Math.max(0, left) + " left.";
	}

	private static DomainException refused(String type, String message) {
		return new DomainException(Kind.REFUSED, type, message);
	}

}
