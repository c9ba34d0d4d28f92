package org.jifen.api.tasks;

/** A volunteer's paid work so far: how many slots, how long, and the points earned. */
public record VolunteerHours(long memberId, long tasks, long minutes, long points) {
}
