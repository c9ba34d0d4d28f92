package org.jifen.api.village;

/** Identifies a region: a county, town, village or village group. */
public record RegionId(long value) {
}
