package org.jifen.api.inbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.jifen.api.identity.Accounts;
import org.jifen.api.identity.Caller;
import org.jifen.api.identity.MemberUser;
import org.jifen.api.inbox.InboxRepository.Preference;
import org.jifen.api.shared.DomainException;
import org.jifen.api.village.HouseholdId;
import org.jifen.api.village.Member;
import org.jifen.api.village.MemberId;
import org.jifen.api.village.Villages;
import org.jifen.api.shared.DomainException.Kind;
import org.jifen.api.web.CursorPage;
import org.jifen.api.web.PageRequest;
import org.jifen.notifications.Delivery;
import org.jifen.notifications.Notification;
import org.jifen.notifications.NotificationChannel;
import org.jifen.notifications.NotificationText;
import org.jifen.notifications.NotificationTexts;
import org.jifen.notifications.Recipient;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Service;

/**
 * The inbox and the channels around it. A notification is kept once per user and event;
 * each channel (live stream, WeChat, SMS) then does its part once, by the user's
 * preferences, and a channel that fails for a passing reason makes the relay bring the
 * event back later.
 */
@Service
public class Inbox {

	private static final Logger log = LoggerFactory.getLogger(Inbox.class);

	/** The most a reconnecting stream is sent from the inbox before live events. */
	private static final int RESUME_LIMIT = 500;

	private final InboxRepository repository;

	private final LiveStream live;

	private final NotificationTexts texts;

	private final Map<Channel, NotificationChannel> channels;

	private final Accounts accounts;

	private final Clock clock;

	private final Duration heartbeat;

	private final JsonMapper json;

	private final Villages villages;

	/** Who signs in, per household, read ahead for the relay's round in progress. */
	private final Map<HouseholdId, List<SignedInMember>> readAhead = new ConcurrentHashMap<>();

	Inbox(InboxRepository repository, LiveStream live, NotificationTexts texts, List<NotificationChannel> channels,
			Accounts accounts, Clock clock, InboxProperties properties, JsonMapper json, Villages villages) {
		this.json = json;
		this.villages = villages;
		this.repository = repository;
		this.live = live;
		this.texts = texts;
		this.accounts = accounts;
		this.clock = clock;
		this.heartbeat = properties.heartbeat();
		this.channels = new EnumMap<>(Channel.class);
		for (NotificationChannel channel : channels) {
			this.channels.put(Channel.valueOf(channel.name().toUpperCase(Locale.ROOT)), channel);
		}
	}

	/**
	 * Keeps a notification of an event for a user and has each channel do its part.
	 * Delivering the same event again adds and sends nothing new.
	 */
	Mono<Void> notify(long eventId, String type, @Nullable String variant, List<Object> arguments, MemberUser user,
			@Nullable String phone) {
		return this.repository.save(user.userId(), eventId, type, variant, arguments, this.clock.instant())
			.flatMap((saved) -> this.repository.preferences(user.userId())
				.collectList()
				.zipWith(this.repository.delivered(saved.id()))
				.flatMapMany((known) -> Flux.fromArray(Channel.values())
					.filter((channel) -> !known.getT2().contains(channel))
					.concatMap((channel) -> enabled(known.getT1(), type, channel) ? send(channel, saved, user, phone)
							: this.repository.recordDelivery(saved.id(), channel, "OFF", null)))
				.then());
	}

	/**
	 * Does something for each member of the household who signs in (with the member's
	 * phone, for SMS), one after another.
	 */
	Mono<Void> toMembers(HouseholdId household, BiFunction<MemberUser, @Nullable String, Mono<Void>> action) {
		List<SignedInMember> known = this.readAhead.get(household);
		return ((known != null) ? Mono.just(known) : signedIn(List.of(household)).map((found) -> found.get(household)))
			.flatMapMany(Flux::fromIterable)
			.concatMap((member) -> action.apply(member.user(), member.phone()))
			.then();
	}

	/**
	 * Reads who of each household signs in, for a relay round's events: two reads for the
	 * round instead of two for every event. Kept until {@link #forgetReadAhead}.
	 */
	Mono<Void> readAhead(Collection<HouseholdId> households) {
		return households.isEmpty() ? Mono.empty() : signedIn(households).doOnNext(this.readAhead::putAll).then();
	}

	void forgetReadAhead(Collection<HouseholdId> households) {
		households.forEach(this.readAhead::remove);
	}

	/**
	 * Every household's members who sign in, with their phones; none for a household
	 * without.
	 */
	private Mono<Map<HouseholdId, List<SignedInMember>>> signedIn(Collection<HouseholdId> households) {
		return this.villages.members(households).collectList().flatMap((members) -> {
			Map<MemberId, Member> byId = new HashMap<>();
			for (Member member : members) {
				byId.put(member.id(), member);
			}
			return this.accounts.usersOfMembers(List.copyOf(byId.keySet())).collectList().map((users) -> {
				Map<HouseholdId, List<SignedInMember>> found = new HashMap<>();
				for (HouseholdId household : households) {
					found.put(household, new ArrayList<>());
				}
				for (MemberUser user : users) {
					Member member = byId.get(user.memberId());
					found.get(member.householdId()).add(new SignedInMember(user, member.phone()));
				}
				return found;
			});
		});
	}

	/** A member who signs in, and their phone. */
	private record SignedInMember(MemberUser user, @Nullable String phone) {
	}

	/**
	 * Tells the open streams of every member of a household who signs in (a rank that
	 * moved); best effort, as a stream that missed it reads the board on reconnecting.
	 */
	public Mono<Void> liveToHousehold(HouseholdId household, String event, Object data) {
		return toMembers(household, (user, phone) -> publishQuietly(user.userId(), new LiveEvent(event, null, data)));
	}

	/** The user's balance changed; tell their open streams (best effort). */
	Mono<Void> balanceChanged(long userId, Object balance) {
		return publishQuietly(userId, new LiveEvent("balance", null, balance));
	}

	private Mono<Void> publishQuietly(long userId, LiveEvent event) {
		return this.live.publish(userId, event).onErrorResume((error) -> {
			log.warn("Live stream did not take a {} event: {}", event.event(), error.toString());
			return Mono.empty();
		});
	}

	private Mono<Void> send(Channel channel, StoredNotification saved, MemberUser user, @Nullable String phone) {
		if (channel == Channel.LIVE) {
			// Best effort: a stream that missed it reads it from the inbox on
			// reconnecting.
			return this.live.publish(user.userId(), new LiveEvent("notification", saved.id(), saved))
				.then(this.repository.recordDelivery(saved.id(), channel, "SENT", null))
				.onErrorResume((error) -> {
					log.warn("Live stream did not take notification {}: {}", saved.id(), error.toString());
					return this.repository.recordDelivery(saved.id(), channel, "FAILED", error.toString());
				});
		}
		NotificationChannel sender = this.channels.get(channel);
		if (sender == null) {
			return this.repository.recordDelivery(saved.id(), channel, "SKIPPED", "channel not configured");
		}
		Notification notification = new Notification(String.valueOf(saved.eventId()), saved.type(), saved.variant(),
				new Recipient(user.openid(), phone, NotificationTexts.DEFAULT_LOCALE), saved.arguments());
		return sender.deliver(notification).flatMap((delivery) -> switch (delivery) {
			case Delivery.Sent sent -> this.repository.recordDelivery(saved.id(), channel, "SENT", null);
			case Delivery.Skipped skipped ->
				this.repository.recordDelivery(saved.id(), channel, "SKIPPED", skipped.reason().name());
			// A channel that fails (WeChat busy, over quota) must not hold up the
			// village's
			// other events: recorded, not retried; the inbox keeps the notification.
			case Delivery.Failed failed -> {
				log.warn("{} refused notification {} for good: {}", channel, saved.id(), failed.reason());
				yield this.repository.recordDelivery(saved.id(), channel, "FAILED", failed.reason());
			}
		});
	}

	private static boolean enabled(List<Preference> preferences, String type, Channel channel) {
		return preferences.stream()
			.filter((preference) -> preference.channel() == channel && preference.eventType().equals(type))
			.map(Preference::enabled)
			.findFirst()
			.orElse(channel.onByDefault());
	}

	/** The caller's notifications, newest first, rendered in their language. */
	public Mono<CursorPage<NotificationView>> page(Caller caller, boolean unreadOnly, PageRequest page, Locale locale) {
		long before = (page.afterId() == 0) ? Long.MAX_VALUE : page.afterId();
		return this.repository.page(caller.userId(), before, unreadOnly, page.fetchSize())
			.map((notification) -> view(notification, locale))
			.collectList()
			.map((rows) -> CursorPage.of(rows, page, NotificationView::id));
	}

	public Mono<Long> unread(Caller caller) {
		return this.repository.unread(caller.userId());
	}

	public Mono<NotificationView> markRead(Caller caller, long notificationId, Locale locale) {
		return this.repository.markRead(caller.userId(), notificationId, this.clock.instant())
			.map((notification) -> view(notification, locale))
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.NOT_FOUND, "notification-not-found",
					"You have no notification " + notificationId + ".", Map.of("notificationId", notificationId))));
	}

	public Mono<Long> markAllRead(Caller caller) {
		return this.repository.markAllRead(caller.userId(), this.clock.instant());
	}

	/** Every known event type and channel, with whether it reaches the caller. */
	public Mono<List<Preference>> preferences(Caller caller) {
		return this.repository.preferences(caller.userId())
			.collectList()
			.map((stored) -> EVENT_TYPES.stream()
				.flatMap((type) -> Arrays.stream(Channel.values())
					.map((channel) -> new Preference(type, channel, enabled(stored, type, channel))))
				.toList());
	}

	public Mono<List<Preference>> savePreferences(Caller caller, List<Preference> changes) {
		return Flux.fromIterable(changes)
			.concatMap((change) -> EVENT_TYPES.contains(change.eventType())
					? this.repository.savePreference(caller.userId(), change)
					: Mono.error(new DomainException(Kind.MALFORMED, "event-type-unknown",
							"There is no event type " + change.eventType() + ".",
							Map.of("eventType", change.eventType()))))
			.then(preferences(caller));
	}

	/**
	 * The mini-program reports that the user accepted subscribe messages of these
	 * templates (each acceptance allows one message).
	 */
	public Mono<Void> recordConsents(Caller caller, List<String> templateIds) {
		return this.accounts.openidsOf(caller.userId())
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.REFUSED, "wechat-not-bound",
					"Your account is not bound to WeChat.")))
			.concatMap((openid) -> Flux.fromIterable(templateIds)
				.concatMap((template) -> this.repository.grantConsent(openid, template)))
			.then();
	}

	/**
	 * The caller's live stream. With {@code lastEventId} it first sends what the inbox
	 * holds after that id, then live events; the Redis subscription is confirmed before
	 * the inbox is read, so nothing falls between the two. Comments keep the connection
	 * alive through proxies. The stream ends when a Redis connection drops (it may have
	 * missed live events meanwhile), for the client to reconnect with
	 * {@code Last-Event-ID}.
	 */
	public Flux<ServerSentEvent<Object>> stream(Caller caller, @Nullable Long lastEventId, Locale locale) {
		Flux<ServerSentEvent<Object>> heartbeats = Flux.interval(this.heartbeat)
			.map((tick) -> ServerSentEvent.builder().comment("keep-alive").build());
		Flux<ServerSentEvent<Object>> events = this.live.subscribe(caller.userId())
			.onErrorMap((error) -> !(error instanceof DomainException),
					(error) -> new DomainException(Kind.UNAVAILABLE, "live-stream-unavailable",
							"The live stream cannot start now; try again shortly (the inbox is still readable).",
							Map.of("retryAfterSeconds", 5)))
			.flatMapMany((liveEvents) -> {
				// Bounded: a client that stops reading (a phone asleep on an open
				// connection) is
				// cut off rather than buffered without end; it resumes from the inbox.
				Sinks.Many<LiveEvent> buffer = Sinks.many()
					.unicast()
					.onBackpressureBuffer(Queues.<LiveEvent>get(256).get());
				Disposable feed = liveEvents.subscribe(buffer::tryEmitNext, buffer::tryEmitError,
						buffer::tryEmitComplete);
				AtomicLong highest = new AtomicLong((lastEventId != null) ? lastEventId : 0);
				Flux<ServerSentEvent<Object>> missed = (lastEventId == null) ? Flux.empty()
						: this.repository.after(caller.userId(), lastEventId, RESUME_LIMIT)
							.doOnNext((notification) -> highest.accumulateAndGet(notification.id(), Math::max))
							.map((notification) -> notificationEvent(view(notification, locale)));
				Flux<ServerSentEvent<Object>> fresh = buffer.asFlux()
					.filter((event) -> event.id() == null || event.id() > highest.get())
					.map((event) -> "notification".equals(event.event())
							? notificationEvent(view(
									this.json.treeToValue((JsonNode) event.data(), StoredNotification.class), locale))
							: ServerSentEvent.builder(event.data()).event(event.event()).build());
				// The first comment tells the client (and any proxy) the stream is live.
				Mono<ServerSentEvent<Object>> connected = Mono
					.just(ServerSentEvent.builder().comment("connected").build());
				return Flux.concat(connected, missed, fresh).doFinally((signal) -> feed.dispose());
			});
		// Redis dropping a connection may have lost live events: the stream ends and the
		// client resumes from the inbox.
		return Flux.merge(events, heartbeats).takeUntilOther(this.live.lost());
	}

	private static ServerSentEvent<Object> notificationEvent(NotificationView view) {
		return ServerSentEvent.<Object>builder(view).id(String.valueOf(view.id())).event("notification").build();
	}

	private NotificationView view(StoredNotification notification, Locale locale) {
		String key = notification.textKey();
		var text = this.texts.has(key) ? this.texts.render(key, locale, notification.arguments().toArray())
				: new NotificationText(notification.type(), "");
		return new NotificationView(notification.id(), notification.eventId(), notification.type(),
				notification.variant(), text.title(), text.body(), notification.createdAt(),
				notification.readAt() != null);
	}

	/** The event types a user may tune. */
	static final List<String> EVENT_TYPES = List.of("points.posted", "claim.approved", "claim.rejected",
			"claim.objected", "rectification.notice", "donation.received", "donation.sent");

	/** A notification as a reader sees it. */
	public record NotificationView(long id, long eventId, String type, @Nullable String variant, String title,
			String body, Instant createdAt, boolean read) {
	}

	static Map<String, Object> balanceEvent(long householdId, List<?> balances) {
		Map<String, Object> event = new LinkedHashMap<>();
		event.put("householdId", householdId);
		event.put("balances", balances);
		return event;
	}

}
