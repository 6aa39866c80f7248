package dev.slipway.core.internal;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Blocking work done at once for many items (stopping every instance), on threads of its own: never in the common
 * ForkJoin pool, which belongs to the program that embeds Slipway.
 */
public final class Parallel {
    private static final int MAX_THREADS = 16;

    private Parallel() {
    }

    /** Runs {@code action} for every item, up to 16 at a time on threads named {@code <name>-<n>}, and returns once all ended. */
    public static <T> void forEach(String name, Collection<T> items, Consumer<T> action) {
        if (items.isEmpty()) {
            return;
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(Math.min(items.size(), MAX_THREADS), r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> done = items.stream().<Future<?>>map(item -> threads.submit(() -> action.accept(item))).toList();
            for (Future<?> f : done) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            threads.shutdownNow();
        }
    }
}
