package org.jifen.api.identity;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.stereotype.Component;

/**
 * Turns a verified token into a {@link Caller}. Our own tokens carry {@code uid},
 * {@code member}, {@code name} and {@code grants}; an external OIDC issuer's tokens are
 * read through the configured grants claim (see README, "Signing in with another OIDC
 * issuer").
 */
@Component
class CallerResolver {

	private static final Logger log = LoggerFactory.getLogger(CallerResolver.class);

	private final IdentityProperties properties;

	CallerResolver(IdentityProperties properties) {
		this.properties = properties;
	}

	Mono<Caller> resolve(Authentication authentication) {
		if (!(authentication instanceof JwtAuthenticationToken token)) {
			return Mono.empty();
		}
		Jwt jwt = token.getToken();
		if (!(jwt.getClaims().get("uid") instanceof Number uid)) {
			return Mono.error(new DomainException(Kind.UNAUTHENTICATED, "token-without-user",
					"The token names no Jifen user (numeric uid claim)."));
		}
		long userId = uid.longValue();
		Object member = jwt.getClaims().get("member");
		String name = (jwt.getClaimAsString("name") != null) ? jwt.getClaimAsString("name") : jwt.getSubject();
		return Mono
			.just(new Caller(userId, (member instanceof Number number) ? number.longValue() : null, name, grants(jwt)));
	}

	private List<Grant> grants(Jwt jwt) {
		List<String> claims = jwt.getClaimAsStringList(this.properties.oidc().grantsClaim());
		List<Grant> grants = new ArrayList<>();
		if (claims != null) {
			for (String claim : claims) {
				try {
					grants.add(Grant.fromClaim(claim));
				}
				catch (IllegalArgumentException ex) {
					log.warn("Ignoring a malformed grant '{}' in the token of {}", claim, jwt.getSubject());
				}
			}
		}
		return grants;
	}

}
