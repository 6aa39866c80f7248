package dev.slipway.core.internal.runtime;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads every service's reconciler shares: a pool of at most 64 that runs their work (so a restart of 10,000
 * services is not 10,000 threads), and one timer that hands delayed work over. Each service's work runs on its own
 * {@link SerialLoop} on these.
 */
public record ReconcilerThreads(ExecutorService work, ScheduledExecutorService timer) implements AutoCloseable {
    /** At most this many services' work runs at once (a backend's start may block); idle threads end after 30 s. */
    static final int MAX_THREADS = 64;

    public static ReconcilerThreads start() {
        ThreadPoolExecutor work = new ThreadPoolExecutor(MAX_THREADS, MAX_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), HealthProbes.named("slipway-reconciler"));
        work.allowCoreThreadTimeOut(true);
        return new ReconcilerThreads(work, Executors.newSingleThreadScheduledExecutor(HealthProbes.named("slipway-reconciler-timer")));
    }

    @Override
    public void close() {
        timer.shutdownNow();
        work.shutdownNow();
    }
}
