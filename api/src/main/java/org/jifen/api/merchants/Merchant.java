package org.jifen.api.merchants;

import java.time.Instant;
import java.util.List;

/**
 * A merchant of the alliance (德益联盟): enrolled by a town or county (its home region),
 * serving the listed regions and every village below them.
 */
public record Merchant(long id, long homeRegionId, String name, List<Long> servedRegionIds, Instant enrolledAt) {

	public Merchant {
		servedRegionIds = List.copyOf(servedRegionIds);
	}

}
