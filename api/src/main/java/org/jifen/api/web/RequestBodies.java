package org.jifen.api.web;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * Reads a whole request body into memory, refusing (413) past a limit.
 */
public final class RequestBodies {

	private RequestBodies() {
	}

	/**
	 * The body's bytes; empty bodies give an empty array; past {@code maxBytes} a 413
	 * problem.
	 */
	public static Mono<byte[]> bytes(Flux<DataBuffer> body, int maxBytes) {
		return DataBufferUtils.join(body, maxBytes).map((buffer) -> {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			DataBufferUtils.release(buffer);
			return bytes;
		}).defaultIfEmpty(new byte[0]);
	}

}
