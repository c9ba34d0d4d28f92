package org.jifen.api.inbox;

import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.identity.Access;
import org.jifen.api.shared.DomainException;
import org.jifen.api.inbox.Inbox.NotificationView;
import org.jifen.api.inbox.InboxRepository.Preference;
import org.jifen.api.web.CursorPage;
import org.jifen.api.web.Locales;
import org.jifen.api.web.PageRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

/** The signed-in user's inbox, live stream and notification preferences. */
@RestController
@Tag(name = "Notifications", description = "Inbox, live stream and preferences of the signed-in user")
class InboxController {

	private final Inbox inbox;

	private final Access access;

	InboxController(Inbox inbox, Access access) {
		this.inbox = inbox;
		this.access = access;
	}

	@GetMapping(path = "/api/v1/me/notifications", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "My notifications, newest first",
			description = "Cursor-paged; texts in Chinese unless Accept-Language asks for English.")
	Mono<CursorPage<NotificationView>> notifications(@RequestParam(required = false) @Nullable String cursor,
			@RequestParam(required = false) @Nullable Integer limit,
			@RequestParam(defaultValue = "false") boolean unreadOnly, ServerWebExchange exchange) {
		return this.access.caller()
			.flatMap((caller) -> this.inbox.page(caller, unreadOnly, PageRequest.of(cursor, limit),
					Locales.of(exchange)));
	}

	@GetMapping(path = "/api/v1/me/notifications/unread-count", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "How many of my notifications are unread")
	Mono<Map<String, Long>> unread() {
		return this.access.caller().flatMap(this.inbox::unread).map((count) -> Map.of("unread", count));
	}

	@PostMapping(path = "/api/v1/me/notifications/{notificationId}/read", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Mark one of my notifications read")
	Mono<NotificationView> markRead(@PathVariable long notificationId, ServerWebExchange exchange) {
		return this.access.caller()
			.flatMap((caller) -> this.inbox.markRead(caller, notificationId, Locales.of(exchange)));
	}

	@PostMapping(path = "/api/v1/me/notifications/read-all", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Mark all my notifications read")
	Mono<Map<String, Long>> markAllRead() {
		return this.access.caller().flatMap(this.inbox::markAllRead).map((count) -> Map.of("marked", count));
	}

	@GetMapping(path = "/api/v1/me/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	@Operation(summary = "My live stream (Server-Sent Events)",
			description = "Events: notification (id = inbox id), balance, rank. Send Last-Event-ID to resume: what the "
					+ "inbox holds after it comes first. The stream ends when the server may have missed live events "
					+ "(its Redis connection dropped): reconnect with Last-Event-ID, as EventSource does. Comments "
					+ "every 15 s keep the connection open.")
	Flux<ServerSentEvent<Object>> stream(@Parameter(description = "The last notification id received") @RequestHeader(
			name = "Last-Event-ID", required = false) @Nullable Long lastEventId, ServerWebExchange exchange) {
		return this.access.caller()
			.flatMapMany((caller) -> this.inbox.stream(caller, lastEventId, Locales.of(exchange)));
	}

	@GetMapping(path = "/api/v1/me/notification-preferences", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Which events reach me on which channel",
			description = "The inbox keeps everything; LIVE and WECHAT are on and SMS off unless changed.")
	Mono<List<Preference>> preferences() {
		return this.access.caller().flatMap(this.inbox::preferences);
	}

	@PutMapping(path = "/api/v1/me/notification-preferences", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Change which events reach me on which channel")
	Mono<List<Preference>> savePreferences(@RequestBody Mono<List<PreferenceRequest>> body) {
		return body.zipWith(this.access.caller())
			.flatMap((changes) -> this.inbox.savePreferences(changes.getT2(), PreferenceRequest.all(changes.getT1())));
	}

	@PostMapping(path = "/api/v1/me/wechat-subscriptions", consumes = MediaType.APPLICATION_JSON_VALUE)
	@ResponseStatus(HttpStatus.NO_CONTENT)
	@Operation(summary = "Record WeChat subscribe-message consents",
			description = "Call after wx.requestSubscribeMessage with the template ids the user accepted; each "
					+ "acceptance allows one message.")
	Mono<Void> subscribe(@Valid @RequestBody Mono<ConsentRequest> body) {
		return body.zipWith(this.access.caller())
			.flatMap((request) -> this.inbox.recordConsents(request.getT2(), request.getT1().templateIds()));
	}

	record PreferenceRequest(@Nullable String eventType, @Nullable Channel channel, @Nullable Boolean enabled) {

		/** Checked here: Bean Validation does not reach into a list inside a Mono. */
		static List<Preference> all(List<PreferenceRequest> requests) {
			if (requests.size() > 50) {
				throw malformed("At most 50 preferences at once.");
			}
			return requests.stream().map((request) -> {
				if (request == null || request.eventType() == null || request.channel() == null
						|| request.enabled() == null) {
					throw malformed("Each preference names eventType, channel (LIVE, WECHAT or SMS) and enabled.");
				}
				return new Preference(request.eventType(), request.channel(), request.enabled());
			}).toList();
		}

		private static DomainException malformed(String detail) {
			return new DomainException(DomainException.Kind.MALFORMED, "preferences-malformed", detail);
		}

	}

	record ConsentRequest(@NotEmpty @Size(max = 20) List<@NotBlank @Size(max = 128) String> templateIds) {
	}

}
