package org.jifen.api.claims;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.identity.Access;
import org.jifen.api.web.RequestBodies;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Evidence photos over HTTP: the photo is the request body (image/jpeg or image/png, at
 * most 2 MB).
 */
@RestController
@Tag(name = "Claims", description = "Awards and deductions through review and public notice")
class EvidenceController {

	private final Evidence evidence;

	private final Access access;

	EvidenceController(Evidence evidence, Access access) {
		this.evidence = evidence;
		this.access = access;
	}

	@PostMapping(path = "/api/v1/claims/{claimId}/evidence",
			consumes = { MediaType.IMAGE_JPEG_VALUE, MediaType.IMAGE_PNG_VALUE },
			produces = MediaType.APPLICATION_JSON_VALUE)
	@ResponseStatus(HttpStatus.CREATED)
	@Operation(summary = "Add an evidence photo to a claim waiting for review (its submitter or a reviewer)")
	Mono<Evidence.Photo> add(@PathVariable long claimId, ServerHttpRequest request) {
		return this.access.caller()
			.flatMap((caller) -> RequestBodies.bytes(request.getBody(), Evidence.MAX_BYTES)
				.flatMap((bytes) -> this.evidence.add(caller, claimId, bytes)));
	}

	@GetMapping(path = "/api/v1/claims/{claimId}/evidence", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The evidence photos of a claim")
	Flux<Evidence.Photo> list(@PathVariable long claimId) {
		return this.access.caller().flatMapMany((caller) -> this.evidence.list(caller, claimId));
	}

	@GetMapping(path = "/api/v1/claims/{claimId}/evidence/{photoId}",
			produces = { MediaType.IMAGE_JPEG_VALUE, MediaType.IMAGE_PNG_VALUE })
	@Operation(summary = "One evidence photo, to those who may see the claim")
	Mono<ResponseEntity<byte[]>> photo(@PathVariable long claimId, @PathVariable long photoId) {
		return this.access.caller()
			.flatMap((caller) -> this.evidence.photo(caller, claimId, photoId))
			.map((typeAndBytes) -> ResponseEntity.ok()
				.contentType(MediaType.parseMediaType(typeAndBytes.getKey()))
				.body(typeAndBytes.getValue()));
	}

}
