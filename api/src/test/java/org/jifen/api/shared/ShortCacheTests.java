package org.jifen.api.shared;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import static org.assertj.core.api.Assertions.assertThat;

class ShortCacheTests {

	private final AtomicInteger reads = new AtomicInteger();

	@Test
	void readsOnceWithinTheTimeToLive() {
		ShortCache<String, Integer> cache = new ShortCache<>(Duration.ofMinutes(1), 10);
		assertThat(cache.get("a", this::read).block()).isEqualTo(1);
		assertThat(cache.get("a", this::read).block()).isEqualTo(1);
		assertThat(this.reads).hasValue(1);
	}

	@Test
	void keepsTheNeighboursOneReadAnswersFor() {
		ShortCache<String, Integer> cache = new ShortCache<>(Duration.ofMinutes(1), 10);
		assertThat(cache.getAround("a", (key) -> Mono.just(Map.of("a", this.reads.incrementAndGet(), "b", 20))).block())
			.isEqualTo(1);
		assertThat(cache.get("b", this::read).block()).isEqualTo(20);
		assertThat(cache.getAround("c", (key) -> Mono.just(Map.of("d", 4))).block()).isNull();
		assertThat(cache.get("d", this::read).block()).isEqualTo(4);
		assertThat(this.reads).hasValue(1);
	}

	@Test
	void readsAgainAfterTheTimeToLive() {
		ShortCache<String, Integer> cache = new ShortCache<>(Duration.ZERO, 10);
		cache.get("a", this::read).block();
		assertThat(cache.get("a", this::read).block()).isEqualTo(2);
	}

	@Test
	void readsAgainWhatWasForgotten() {
		ShortCache<String, Integer> cache = new ShortCache<>(Duration.ofMinutes(1), 10);
		cache.get("a", this::read).block();
		cache.forgetOnCommit("a").block();
		assertThat(cache.get("a", this::read).block()).isEqualTo(2);
		cache.forgetAllOnCommit().block();
		assertThat(cache.get("a", this::read).block()).isEqualTo(3);
	}

	@Test
	void keepsNeitherAbsentValuesNorErrors() {
		ShortCache<String, Integer> cache = new ShortCache<>(Duration.ofMinutes(1), 10);
		assertThat(cache.get("a", (key) -> Mono.<Integer>empty()).block()).isNull();
		assertThat(cache.get("a", (key) -> Mono.<Integer>error(new IllegalStateException())).onErrorReturn(-1).block())
			.isEqualTo(-1);
		assertThat(cache.get("a", this::read).block()).isEqualTo(1);
	}

	@Test
	void doesNotKeepAReadThatRanWhileSomethingWasForgotten() {
		ShortCache<String, Integer> cache = new ShortCache<>(Duration.ofMinutes(1), 10);
		Sinks.One<Integer> slow = Sinks.one();
		Mono<Integer> reading = cache.get("a", (key) -> slow.asMono()).cache();
		reading.subscribe();
		cache.forget("a");
		slow.tryEmitValue(0);
		assertThat(reading.block()).isZero();
		assertThat(cache.get("a", this::read).block()).isEqualTo(1);
	}

	@Test
	void startsOverWhenFull() {
		ShortCache<Integer, Integer> cache = new ShortCache<>(Duration.ofMinutes(1), 2);
		for (int key = 0; key < 3; key++) {
			cache.get(key, this::read).block();
		}
		cache.get(2, this::read).block();
		cache.get(0, this::read).block();
		assertThat(this.reads).hasValue(4);
	}

	private Mono<Integer> read(Object key) {
		return Mono.fromSupplier(this.reads::incrementAndGet);
	}

}
