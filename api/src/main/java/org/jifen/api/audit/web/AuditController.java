package org.jifen.api.audit.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.jifen.api.audit.AuditEntry;
import org.jifen.api.audit.AuditTrail;
import org.jifen.api.identity.Access;
import org.jifen.api.village.RegionId;
import org.jifen.api.village.Villages;
import org.jifen.api.web.CursorPage;
import org.jifen.api.web.PageRequest;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The audit trail of a region and everything below it, for its supervisors and admins.
 */
@RestController
@Tag(name = "Audit", description = "Every admin change")
class AuditController {

	private final AuditTrail auditTrail;

	private final Access access;

	private final Villages villages;

	AuditController(AuditTrail auditTrail, Access access, Villages villages) {
		this.auditTrail = auditTrail;
		this.access = access;
		this.villages = villages;
	}

	@GetMapping(path = "/api/v1/regions/{regionId}/audit", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Read the audit trail of a region (supervisors and admins)", description = "Oldest first.")
	Mono<CursorPage<AuditEntry>> audit(@PathVariable long regionId,
			@RequestParam(required = false) @Nullable String cursor,
			@RequestParam(required = false) @Nullable Integer limit) {
		PageRequest page = PageRequest.of(cursor, limit);
		RegionId region = new RegionId(regionId);
		return this.access.requireOversight(region)
			.then(this.villages.subtree(region))
			.flatMap((regions) -> this.auditTrail.entries(regions.stream().map(RegionId::value).toList(), page));
	}

}
