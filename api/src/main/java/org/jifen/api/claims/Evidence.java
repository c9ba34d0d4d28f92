package org.jifen.api.claims;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.jifen.api.identity.Access;
import org.jifen.api.identity.Caller;
import org.jifen.api.shared.DomainException;
import org.jifen.api.shared.DomainException.Kind;
import org.jifen.api.village.RegionId;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;

/**
 * Evidence photos of a claim: JPEG or PNG (checked by their first bytes, not by what the
 * client says), at most {@value #MAX_BYTES} bytes, added while the claim waits for review
 * by whoever submitted it or a reviewer, and shown only to those who may see the claim.
 */
@Service
public class Evidence {

	static final int MAX_BYTES = 2 * 1024 * 1024;

	/** One stored photo. */
	public record Photo(long id, long claimId, String contentType, int sizeBytes, Instant createdAt) {
	}

	private final DatabaseClient database;

	private final EvidenceStore store;

	private final Access access;

	private final ClaimRepository claims;

	Evidence(DatabaseClient database, Access access, ClaimRepository claims,
			@Value("${jifen.evidence.dir:${user.home}/.jifen/evidence}") String directory) {
		this.database = database;
		this.access = access;
		this.claims = claims;
		this.store = new DiskEvidenceStore(Path.of(directory));
	}

	public Mono<Photo> add(Caller caller, long claimId, byte[] bytes) {
		String contentType = contentType(bytes);
		return claim(claimId)
			.flatMap((claim) -> ((claim.submittedBy() == caller.userId())
					? this.access.requireRead(caller, new RegionId(claim.villageId()))
					: this.access.requireReviewer(caller, new RegionId(claim.villageId())))
				.then((claim.status() == Claim.Status.SUBMITTED || claim.status() == Claim.Status.OBJECTED)
						? Mono.just(claim)
						: Mono.error(new DomainException(Kind.CONFLICT, "illegal-transition",
								"Evidence is added while a claim waits for review.",
								Map.of("claimStatus", claim.status().name())))))
			// Checked only once the caller may touch the claim, so outsiders learn
			// nothing from it.
			.flatMap((claim) -> (contentType != null) ? Mono.just(claim)
					: Mono.error(new DomainException(Kind.REFUSED, "evidence-not-an-image",
							"Evidence must be a JPEG or PNG photo.")))
			.flatMap((claim) -> this.store.put(bytes))
			.flatMap((key) -> this.database.sql("""
					insert into claim_evidence (claim_id, storage_key, content_type, size_bytes, sha256, uploaded_by)
					values (:claim, :key, :type, :size, :sha, :user)
					returning id, claim_id, content_type, size_bytes, created_at""")
				.bind("claim", claimId)
				.bind("key", key)
				.bind("type", contentType)
				.bind("size", bytes.length)
				.bind("sha", sha256(bytes))
				.bind("user", caller.userId())
				.map((row) -> new Photo(row.get("id", Long.class), row.get("claim_id", Long.class),
						row.get("content_type", String.class), row.get("size_bytes", Integer.class),
						row.get("created_at", OffsetDateTime.class).toInstant()))
				.one());
	}

	public Flux<Photo> list(Caller caller, long claimId) {
		return claim(claimId).flatMap((claim) -> this.access.requireRead(caller, new RegionId(claim.villageId())))
			.thenMany(this.database.sql("""
					select id, claim_id, content_type, size_bytes, created_at from claim_evidence
					where claim_id = :claim order by id""")
				.bind("claim", claimId)
				.map((row) -> new Photo(row.get("id", Long.class), row.get("claim_id", Long.class),
						row.get("content_type", String.class), row.get("size_bytes", Integer.class),
						row.get("created_at", OffsetDateTime.class).toInstant()))
				.all());
	}

	/** The photo's type and bytes, for those who may see the claim. */
	public Mono<Map.Entry<String, byte[]>> photo(Caller caller, long claimId, long photoId) {
		return claim(claimId).flatMap((claim) -> this.access.requireRead(caller, new RegionId(claim.villageId())))
			.then(this.database
				.sql("select storage_key, content_type from claim_evidence where id = :id and claim_id = :claim")
				.bind("id", photoId)
				.bind("claim", claimId)
				.map((row) -> List.of(row.get("storage_key", String.class), row.get("content_type", String.class)))
				.one())
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.NOT_FOUND, "evidence-not-found",
					"There is no such photo of this claim.")))
			.flatMap((keyAndType) -> this.store.get(keyAndType.get(0))
				.map((bytes) -> Map.entry(keyAndType.get(1), bytes)));
	}

	/**
	 * Which of the given claims have any photo: items that require evidence are approved
	 * only with one.
	 */
	Mono<Set<Long>> withEvidence(Collection<Long> claimIds) {
		if (claimIds.isEmpty()) {
			return Mono.just(Set.of());
		}
		return this.database.sql("select distinct claim_id from claim_evidence where claim_id = any(:claims)")
			.bind("claims", claimIds.toArray(Long[]::new))
			.map((row) -> row.get("claim_id", Long.class))
			.all()
			.collect(Collectors.toSet());
	}

	private Mono<Claim> claim(long claimId) {
		return this.claims.find(claimId)
			.switchIfEmpty(Mono.error(() -> new DomainException(Kind.NOT_FOUND, "claim-not-found",
					"There is no claim " + claimId + ".", Map.of("claimId", claimId))));
	}

	private static String contentType(byte[] bytes) {
		if (bytes.length > 3 && (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xd8 && (bytes[2] & 0xff) == 0xff) {
			return "image/jpeg";
		}
		if (bytes.length > 8 && (bytes[0] & 0xff) == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G') {
			return "image/png";
		}
		return null;
	}

	private static byte[] sha256(byte[] bytes) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(bytes);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is part of every JDK", ex);
		}
	}

}
