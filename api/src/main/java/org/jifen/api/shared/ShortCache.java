package org.jifen.api.shared;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import reactor.core.publisher.Mono;

import org.springframework.transaction.NoTransactionException;
import org.springframework.transaction.reactive.TransactionSynchronization;
import org.springframework.transaction.reactive.TransactionSynchronizationManager;

/**
 * Rarely changing reads kept in memory for a short while. The instance that changes a
 * value forgets it at once and again when its transaction ends ({@link #forgetOnCommit});
 * other instances see the change after at most the time to live. Absent values and errors
 * are never kept, and a read that was running while something was forgotten is not kept
 * either, so it cannot put back what was just forgotten.
 */
public final class ShortCache<K, V> {

	private record Kept<V>(V value, long until) {
	}

	private final Map<K, Kept<V>> kept = new ConcurrentHashMap<>();

	private final AtomicLong forgettings = new AtomicLong();

	private final long timeToLive;

	private final int maxSize;

	/**
	 * @param timeToLive how long another instance's change may go unseen
	 * @param maxSize past this many values the cache starts over
	 */
	public ShortCache(Duration timeToLive, int maxSize) {
		this.timeToLive = timeToLive.toNanos();
		this.maxSize = maxSize;
	}

	/** The kept value of the key, or the value {@code read} answers (then kept). */
	public Mono<V> get(K key, Function<K, Mono<V>> read) {
		return getAround(key, (missing) -> read.apply(missing).map((value) -> Map.of(missing, value)));
	}

	/**
	 * The kept value of the key; when there is none, {@code read} answers the key's value
	 * together with its neighbours' (whatever one read finds cheaply), and all are kept,
	 * so that the neighbours' next reads need none.
	 */
	public Mono<V> getAround(K key, Function<K, Mono<Map<K, V>>> read) {
		Kept<V> known = this.kept.get(key);
		long now = System.nanoTime();
		if (known != null && now - known.until() < 0) {
			return Mono.just(known.value());
		}
		return Mono.defer(() -> {
			long forgettingsBefore = this.forgettings.get();
			return read.apply(key).mapNotNull((values) -> {
				if (this.forgettings.get() == forgettingsBefore) {
					if (this.kept.size() + values.size() > this.maxSize) {
						this.kept.clear();
					}
					long until = System.nanoTime() + this.timeToLive;
					values.forEach((neighbour, value) -> this.kept.put(neighbour, new Kept<>(value, until)));
				}
				return values.get(key);
			});
		});
	}

	public void forget(K key) {
		this.forgettings.incrementAndGet();
		this.kept.remove(key);
	}

	public void forgetAll() {
		this.forgettings.incrementAndGet();
		this.kept.clear();
	}

	/**
	 * Forgets the key now and once more when the current transaction ends, so that no
	 * read between the change and its commit keeps the old value; outside a transaction
	 * only now.
	 */
	public Mono<Void> forgetOnCommit(K key) {
		return forgetting(() -> forget(key));
	}

	/** {@link #forgetOnCommit(Object)} for every key. */
	public Mono<Void> forgetAllOnCommit() {
		return forgetting(this::forgetAll);
	}

	private static Mono<Void> forgetting(Runnable forget) {
		return Mono.fromRunnable(forget)
			.then(TransactionSynchronizationManager.forCurrentTransaction())
			.filter(TransactionSynchronizationManager::isSynchronizationActive)
			.doOnNext((transaction) -> transaction.registerSynchronization(new TransactionSynchronization() {

				@Override
				public Mono<Void> afterCompletion(int status) {
					return Mono.fromRunnable(forget);
				}

			}))
			.onErrorResume(NoTransactionException.class, (outside) -> Mono.empty())
			.then();
	}

}
