package org.jifen.api.inbox;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.jifen.api.shared.Sql;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

@Repository
class InboxRepository {

	private static final String COLUMNS = "id, user_id, event_id, type, variant, arguments, created_at, read_at";

	private static final TypeReference<List<Object>> ARGUMENTS = new TypeReference<>() {
	};

	private final DatabaseClient database;

	private final JsonMapper json;

	InboxRepository(DatabaseClient database, JsonMapper json) {
		this.database = database;
		this.json = json;
	}

	/**
	 * The user's notification of an event: inserted the first time, read back when the
	 * event is delivered again.
	 */
	Mono<StoredNotification> save(long userId, long eventId, String type, @Nullable String variant,
			List<Object> arguments, Instant createdAt) {
		var insert = this.database.sql("""
				insert into notification (user_id, event_id, type, variant, arguments, created_at)
				values (:user, :event, :type, :variant, :arguments, :createdAt)
				on conflict (event_id, user_id) do nothing""")
			.bind("user", userId)
			.bind("event", eventId)
			.bind("type", type)
			.bind("arguments", Json.of(this.json.writeValueAsString(arguments)))
			.bind("createdAt", createdAt.atOffset(ZoneOffset.UTC));
		insert = Sql.bindNullable(insert, "variant", variant, String.class);
		return insert.then()
			.then(this.database
				.sql("select " + COLUMNS + " from notification where event_id = :event and user_id = :user")
				.bind("event", eventId)
				.bind("user", userId)
				.map(this::notification)
				.one());
	}

	/** Newest first, before an id (the cursor); only unread ones if asked. */
	Flux<StoredNotification> page(long userId, long beforeId, boolean unreadOnly, int limit) {
		return this.database.sql("select " + COLUMNS + " " + """
				from notification
				where user_id = :user and id < :before and (not :unreadOnly or read_at is null)
				order by id desc limit :limit""")
			.bind("user", userId)
			.bind("before", beforeId)
			.bind("unreadOnly", unreadOnly)
			.bind("limit", limit)
			.map(this::notification)
			.all();
	}

	/** Oldest first, after an id: what a reconnecting stream missed. */
	Flux<StoredNotification> after(long userId, long afterId, int limit) {
		return this.database.sql("select " + COLUMNS + " " + """
				from notification where user_id = :user and id > :after order by id limit :limit""")
			.bind("user", userId)
			.bind("after", afterId)
			.bind("limit", limit)
			.map(this::notification)
			.all();
	}

	Mono<Long> unread(long userId) {
		return this.database.sql("select count(*) from notification where user_id = :user and read_at is null")
			.bind("user", userId)
			.map((row) -> row.get(0, Long.class))
			.one();
	}

	/** Marks read (once; the first read time stays). Empty if not the user's. */
	Mono<StoredNotification> markRead(long userId, long id, Instant at) {
		return this.database.sql("""
				update notification set read_at = coalesce(read_at, :at)
				where id = :id and user_id = :user returning\s""" + COLUMNS)
			.bind("id", id)
			.bind("user", userId)
			.bind("at", at.atOffset(ZoneOffset.UTC))
			.map(this::notification)
			.one();
	}

	Mono<Long> markAllRead(long userId, Instant at) {
		return this.database.sql("update notification set read_at = :at where user_id = :user and read_at is null")
			.bind("user", userId)
			.bind("at", at.atOffset(ZoneOffset.UTC))
			.fetch()
			.rowsUpdated();
	}

	/**
	 * The channels that already did their part for a notification (sent, skipped,
	 * refused).
	 */
	Mono<Set<Channel>> delivered(long notificationId) {
		return this.database.sql("select channel from notification_delivery where notification_id = :id")
			.bind("id", notificationId)
			.map((row) -> Channel.valueOf(row.get("channel", String.class)))
			.all()
			.collect(() -> EnumSet.noneOf(Channel.class), Set::add);
	}

	Mono<Void> recordDelivery(long notificationId, Channel channel, String outcome, @Nullable String reason) {
		var insert = this.database.sql("""
				insert into notification_delivery (notification_id, channel, outcome, reason)
				values (:id, :channel, :outcome, :reason) on conflict do nothing""")
			.bind("id", notificationId)
			.bind("channel", channel.name())
			.bind("outcome", outcome);
		return Sql.bindNullable(insert, "reason", reason, String.class).then();
	}

	Flux<Preference> preferences(long userId) {
		return this.database
			.sql("select event_type, channel, enabled from notification_preference where user_id = :user "
					+ "order by event_type, channel")
			.bind("user", userId)
			.map((row) -> new Preference(row.get("event_type", String.class),
					Channel.valueOf(row.get("channel", String.class)), row.get("enabled", Boolean.class)))
			.all();
	}

	Mono<Void> savePreference(long userId, Preference preference) {
		return this.database.sql("""
				insert into notification_preference (user_id, event_type, channel, enabled)
				values (:user, :type, :channel, :enabled)
				on conflict (user_id, event_type, channel) do update set enabled = excluded.enabled""")
			.bind("user", userId)
			.bind("type", preference.eventType())
			.bind("channel", preference.channel().name())
			.bind("enabled", preference.enabled())
			.then();
	}

	Mono<Integer> consentsLeft(String openid, String templateId) {
		return this.database
			.sql("select remaining from wechat_subscription where openid = :openid and template_id = :template")
			.bind("openid", openid)
			.bind("template", templateId)
			.map((row) -> row.get("remaining", Integer.class))
			.one();
	}

	Mono<Void> grantConsent(String openid, String templateId) {
		return this.database.sql("""
				insert into wechat_subscription (openid, template_id, remaining) values (:openid, :template, 1)
				on conflict (openid, template_id)
				do update set remaining = wechat_subscription.remaining + 1, updated_at = now()""")
			.bind("openid", openid)
			.bind("template", templateId)
			.then();
	}

	/** Uses one consent, never below zero (two senders cannot both spend the last). */
	Mono<Void> useConsent(String openid, String templateId, boolean all) {
		return this.database.sql("""
				update wechat_subscription
				set remaining = case when :all then 0 else remaining - 1 end, updated_at = now()
				where openid = :openid and template_id = :template and remaining > 0""")
			.bind("openid", openid)
			.bind("template", templateId)
			.bind("all", all)
			.then();
	}

	private StoredNotification notification(Readable row) {
		OffsetDateTime readAt = row.get("read_at", OffsetDateTime.class);
		return new StoredNotification(row.get("id", Long.class), row.get("user_id", Long.class),
				row.get("event_id", Long.class), row.get("type", String.class), row.get("variant", String.class),
				this.json.readValue(row.get("arguments", Json.class).asString(), ARGUMENTS),
				row.get("created_at", OffsetDateTime.class).toInstant(), (readAt != null) ? readAt.toInstant() : null);
	}

	/** Whether an event type reaches a channel for a user. */
	record Preference(String eventType, Channel channel, boolean enabled) {
	}

}
