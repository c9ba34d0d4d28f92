package org.jifen.api.village;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What it takes to register a household: its number in the village, the head's name, and
 * the members (the head among them).
 */
public record NewHousehold(@Nullable RegionId groupId, String number, String headName, @Nullable String address,
		List<NewMember> members) {

	public NewHousehold {
		if (number == null || number.isBlank() || headName == null || headName.isBlank()) {
			throw new IllegalArgumentException("A household needs a number and a head");
		}
		members = List.copyOf(members);
	}

	/** A member to register with the household; phone and ID number are personal data. */
	public record NewMember(String name, String relation, @Nullable Integer birthYear, @Nullable String phone,
			@Nullable String idNumber) {

		public NewMember(String name, String relation, @Nullable Integer birthYear) {
			this(name, relation, birthYear, null, null);
		}

	}

}
