package org.jifen.api.identity;

import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Signing in and out, and the keys that verify our tokens. These routes are public.
 */
@RestController
@Tag(name = "Sign-in", description = "Mini-program and staff login, token refresh and logout")
class AuthController {

	private final SignIn signIn;

	private final Tokens tokens;

	AuthController(SignIn signIn, Tokens tokens) {
		this.signIn = signIn;
		this.tokens = tokens;
	}

	@PostMapping(path = "/api/v1/auth/wechat", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Sign in from the mini-program with a wx.login code",
			description = "An unbound WeChat account needs the invite code its village issued, once.")
	Mono<TokenResponse> wechat(@Valid @RequestBody WeChatLoginRequest request) {
		return this.signIn.wechat(request.code(), request.inviteCode()).map(TokenResponse::of);
	}

	@PostMapping(path = "/api/v1/auth/login", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Staff sign-in with username and password")
	Mono<TokenResponse> login(@Valid @RequestBody StaffLoginRequest request) {
		return this.signIn.staff(request.username(), request.password()).map(TokenResponse::of);
	}

	@PostMapping(path = "/api/v1/auth/refresh", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Trade a refresh token for new tokens", description = "The old refresh token stops working.")
	Mono<TokenResponse> refresh(@Valid @RequestBody RefreshRequest request) {
		return this.tokens.refresh(request.refreshToken()).map(TokenResponse::of);
	}

	@PostMapping(path = "/api/v1/auth/logout", consumes = MediaType.APPLICATION_JSON_VALUE)
	@ResponseStatus(HttpStatus.NO_CONTENT)
	@Operation(summary = "End the login a refresh token belongs to")
	Mono<Void> logout(@Valid @RequestBody RefreshRequest request) {
		return this.tokens.revoke(request.refreshToken());
	}

	@GetMapping(path = "/.well-known/jwks.json", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The public keys our access tokens are signed with")
	Map<String, Object> jwks() {
		return this.tokens.jwks();
	}

	record WeChatLoginRequest(@NotBlank @Size(max = 128) String code, @Size(max = 16) @Nullable String inviteCode) {
	}

	record StaffLoginRequest(@NotBlank @Size(max = 64) String username, @NotBlank @Size(max = 128) String password) {
	}

	record RefreshRequest(@NotBlank @Size(max = 128) String refreshToken) {
	}

	record TokenResponse(String accessToken, String tokenType, long expiresIn, String refreshToken,
			long refreshExpiresIn) {

		static TokenResponse of(TokenPair pair) {
			return new TokenResponse(pair.accessToken(), "Bearer", pair.expiresIn(), pair.refreshToken(),
					pair.refreshExpiresIn());
		}

	}

}
