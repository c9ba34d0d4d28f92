package org.jifen.api.village;

/** Identifies a member of a household. */
public record MemberId(long value) {
}
