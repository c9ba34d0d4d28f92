package org.jifen.api.identity;

import java.time.Instant;
import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.jifen.api.village.MemberId;
import org.jifen.api.village.Villages;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Who am I, and invite codes that bind a villager's WeChat to their member record.
 */
@RestController
@Tag(name = "Identity", description = "The signed-in caller and invite codes")
class IdentityController {

	private final Access access;

	private final Accounts accounts;

	private final Villages villages;

	IdentityController(Access access, Accounts accounts, Villages villages) {
		this.access = access;
		this.accounts = accounts;
		this.villages = villages;
	}

	@GetMapping(path = "/api/v1/me", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The signed-in caller and the roles they hold")
	Mono<MeResponse> me() {
		return this.access.caller()
			.map((caller) -> new MeResponse(caller.userId(), caller.name(), caller.memberId(),
					caller.grants()
						.stream()
						.map((grant) -> new GrantResponse(grant.role(), grant.regionId(), grant.merchantId()))
						.toList()));
	}

	@PostMapping(path = "/api/v1/members/{memberId}/invite-codes", produces = MediaType.APPLICATION_JSON_VALUE)
	@ResponseStatus(HttpStatus.CREATED)
	@Operation(summary = "Issue a one-time invite code for a member (village admin)",
			description = "Shown once; the villager enters it at their first mini-program login.")
	Mono<ResponseEntity<InviteResponse>> issueInvite(@PathVariable long memberId) {
		return this.villages.memberHome(new MemberId(memberId))
			.flatMap((home) -> this.access.requireAdmin(home.villageId())
				.flatMap((caller) -> this.accounts.issueInvite(caller, home)))
			.map((invite) -> ResponseEntity.status(HttpStatus.CREATED)
				.body(new InviteResponse(invite.code(), invite.expiresAt())));
	}

	record MeResponse(long userId, String name, @Nullable Long memberId, List<GrantResponse> grants) {
	}

	record GrantResponse(Role role, @Nullable Long regionId, @Nullable Long merchantId) {
	}

	record InviteResponse(String code, Instant expiresAt) {
	}

}
