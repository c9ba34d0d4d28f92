package org.jifen.api.claims;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.jifen.api.privacy.Randoms;

/**
 * Evidence on local disk, one file a photo under a random name. File I/O blocks, so it
 * runs on the bounded elastic scheduler, never on an event loop.
 */
class DiskEvidenceStore implements EvidenceStore {

	private final Path directory;

	private final SecureRandom random = Randoms.nonBlocking();

	DiskEvidenceStore(Path directory) {
		this.directory = directory;
	}

	@Override
	public Mono<String> put(byte[] bytes) {
		byte[] name = new byte[16];
		this.random.nextBytes(name);
		String key = HexFormat.of().formatHex(name);
		return Mono.fromCallable(() -> {
			Files.createDirectories(this.directory);
			Files.write(this.directory.resolve(key), bytes);
			return key;
		}).subscribeOn(Schedulers.boundedElastic());
	}

	@Override
	public Mono<byte[]> get(String key) {
		if (!key.matches("[0-9a-f]{32}")) {
			return Mono.error(new IllegalArgumentException("Not an evidence key"));
		}
		return Mono.fromCallable(() -> {
			try {
				return Files.readAllBytes(this.directory.resolve(key));
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}).subscribeOn(Schedulers.boundedElastic());
	}

}
