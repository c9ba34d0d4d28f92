package org.jifen.api.web;

import java.util.ArrayList;
import java.util.List;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * Reads a whole request body into memory, refusing (413) past a limit.
 */
public final class RequestBodies {

	/**
	 * How much of an oversized body is read and thrown away before answering, so that the
	 * client, still sending, receives the 413 instead of a reset connection. Beyond it
	 * the connection is cut.
	 */
	static final long DRAIN_LIMIT = 16L * 1024 * 1024;

	private RequestBodies() {
	}

	/**
	 * The body's bytes; empty bodies give an empty array; past {@code maxBytes} a 413
	 * problem, answered once the body is read (up to {@link #DRAIN_LIMIT} more).
	 */
	public static Mono<byte[]> bytes(Flux<DataBuffer> body, int maxBytes) {
		return body.collect(() -> new Reading(maxBytes), Reading::add)
			.doOnDiscard(DataBuffer.class, DataBufferUtils::release)
			.flatMap(Reading::result);
	}

	/**
	 * The buffers kept while the body is within the limit, and the count of all bytes.
	 */
	private static final class Reading {

		private final int maxBytes;

		private final List<byte[]> parts = new ArrayList<>();

		private long total;

		Reading(int maxBytes) {
			this.maxBytes = maxBytes;
		}

		void add(DataBuffer buffer) {
			try {
				int size = buffer.readableByteCount();
				this.total += size;
				if (this.total > this.maxBytes + DRAIN_LIMIT) {
					throw new DataBufferLimitException("Request body over " + this.maxBytes + " bytes");
				}
				if (this.total <= this.maxBytes) {
					byte[] part = new byte[size];
					buffer.read(part);
					this.parts.add(part);
				}
			}
			finally {
				DataBufferUtils.release(buffer);
			}
		}

		Mono<byte[]> result() {
			if (this.total > this.maxBytes) {
				return Mono.error(new DataBufferLimitException("Request body over " + this.maxBytes + " bytes"));
			}
			byte[] bytes = new byte[(int) this.total];
			int offset = 0;
			for (byte[] part : this.parts) {
				System.arraycopy(part, 0, bytes, offset, part.length);
				offset += part.length;
			}
			return Mono.just(bytes);
		}

	}

}
