package org.jifen.api.village;

/** Identifies a household (户). */
public record HouseholdId(long value) {
}
