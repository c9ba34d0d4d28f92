package org.jifen.api.catalog;

import java.time.LocalDate;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.identity.Access;
import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.jifen.api.village.RegionId;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The catalog over HTTP: villagers read the current catalog and its history; admins save
 * items.
 */
@RestController
@Tag(name = "Catalog", description = "What earns and what costs points")
class CatalogController {

	private final Catalog catalog;

	private final Access access;

	CatalogController(Catalog catalog, Access access) {
		this.catalog = catalog;
		this.access = access;
	}

	@GetMapping(path = "/api/v1/villages/{villageId}/catalog", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The village's current catalog")
	Flux<CatalogItem> current(@PathVariable long villageId) {
		RegionId village = new RegionId(villageId);
		return this.access.requireRead(village).thenMany(this.catalog.current(village));
	}

	@GetMapping(path = "/api/v1/villages/{villageId}/catalog/history", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Every version of every item the village has had")
	Flux<CatalogItem> history(@PathVariable long villageId) {
		RegionId village = new RegionId(villageId);
		return this.access.requireRead(village).thenMany(this.catalog.history(village));
	}

	@PutMapping(path = "/api/v1/villages/{villageId}/catalog/{code}", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@ResponseStatus(HttpStatus.OK)
	@Operation(summary = "Save an item (village admin)", description = "A new code is version 1; saving an existing "
			+ "code makes the next version and retires the previous one.")
	Mono<CatalogItem> save(@PathVariable long villageId, @PathVariable String code,
			@Valid @RequestBody Mono<CatalogItemRequest> request) {
		RegionId village = new RegionId(villageId);
		return this.access.requireAdmin(village)
			.flatMap((caller) -> request
				.flatMap((body) -> this.catalog.save(village, body.toDraft(code), caller.actor())));
	}

	@GetMapping(path = "/api/v1/towns/{townId}/catalog", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "A town's template catalog")
	Flux<CatalogItem> template(@PathVariable long townId) {
		RegionId town = new RegionId(townId);
		return this.access.requireRead(town).thenMany(this.catalog.template(town));
	}

	@PutMapping(path = "/api/v1/towns/{townId}/catalog/{code}", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Save an item of the town's template (town admin)")
	Mono<CatalogItem> saveTemplate(@PathVariable long townId, @PathVariable String code,
			@Valid @RequestBody Mono<CatalogItemRequest> request) {
		RegionId town = new RegionId(townId);
		return this.access.requireAdmin(town)
			.flatMap((caller) -> request
				.flatMap((body) -> this.catalog.saveTemplate(town, body.toDraft(code), caller.actor())));
	}

	@PostMapping(path = "/api/v1/villages/{villageId}/catalog/adopt-template",
			produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Copy the town's template items the village lacks (village admin)",
			description = "They become the village's own items, to adapt like any other.")
	Flux<CatalogItem> adoptTemplate(@PathVariable long villageId) {
		RegionId village = new RegionId(villageId);
		return this.access.requireAdmin(village)
			.flatMapMany((caller) -> this.catalog.adoptTemplate(village, caller.actor()));
	}

	record CatalogItemRequest(@NotBlank @Size(max = 60) String name, @NotBlank @Size(max = 20) String category,
			@Min(-1000) @Max(1000) int points, @Positive @Nullable Integer capPoints,
			CatalogItem.@Nullable CapPeriod capPeriod, boolean evidenceRequired, @Nullable LocalDate activeFrom,
			@Nullable LocalDate activeUntil) {

		CatalogItemDraft toDraft(String code) {
			if (!code.matches("[A-Za-z0-9_-]{1,32}")) {
				throw new DomainException(Kind.MALFORMED, "invalid-catalog-code",
						"A catalog code is 1 to 32 letters, digits, '-' or '_'.");
			}
			if (this.points == 0 || (this.capPoints == null) != (this.capPeriod == null)) {
				throw new DomainException(Kind.MALFORMED, "invalid-catalog-item",
						"An item awards or deducts points, and a cap needs both capPoints and capPeriod.");
			}
			return new CatalogItemDraft(code, this.name.strip(), this.category.strip(), this.points, this.capPoints,
					this.capPeriod, this.evidenceRequired, this.activeFrom, this.activeUntil);
		}

	}

}
