package org.jifen.api.tasks;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A need posted for volunteers. Its whole reward ({@code slots × reward}) went into the
 * village's escrow of its kind when it was posted; {@code slotsLeft} is how many slots
 * are still open to grab.
 */
public record Task(long id, long villageId, @Nullable Long groupId, long kindId, String title,
		@Nullable String description, String category, @Nullable String skills, int slots, long reward,
		Instant startsAt, Instant deadline, Funding funding, long postedBy, @Nullable Long forMemberId,
		@Nullable Long forHouseholdId, Status status, Instant createdAt, int slotsLeft) {

	/** Where the escrow came from, and where unpaid reward returns. */
	public enum Funding {

		/** The village pool (issuance): village tasks posted by admins. */
		VILLAGE,
		/** The poster's own member account (member-owned kinds such as 爱心存折). */
		MEMBER,
		/** The poster's household account (household-owned kinds). */
		HOUSEHOLD

	}

	/** Whether the task still takes volunteers. */
	public enum Status {

		OPEN, CANCELLED, EXPIRED

	}

}
