package org.jifen.api.claims;

import reactor.core.publisher.Mono;

/**
 * Where evidence photos are kept: a port, so a village can move them to object storage
 * later. The default keeps them on local disk.
 */
interface EvidenceStore {

	/** Stores the bytes under a new key, and returns it. */
	Mono<String> put(byte[] bytes);

	Mono<byte[]> get(String key);

}
