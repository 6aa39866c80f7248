package dev.slipway.core.internal.runtime;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads every service's reconciler shares: a pool of at most 64 that runs their work (so a restart of 10,000
 * services is not 10,000 threads), one timer that hands delayed work over, and a pool of at most 64 for the backend's
 * starts, which may block (an image pulled, a pod scheduled) and so never run on a reconciler's loop. Each service's
 * work runs on its own {@link SerialLoop} on these. Idle threads end after 30 s.
 */
public record ReconcilerThreads(ExecutorService work, ScheduledExecutorService timer, ExecutorService starts) implements AutoCloseable {
    static final int MAX_THREADS = 64;

    public static ReconcilerThreads start() {
        return new ReconcilerThreads(pool("slipway-reconciler"),
                Executors.newSingleThreadScheduledExecutor(HealthProbes.named("slipway-reconciler-timer")), pool("slipway-start"));
    }

    private static ExecutorService pool(String name) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(MAX_THREADS, MAX_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), HealthProbes.named(name));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        work.shutdownNow();
        starts.shutdownNow();
    }
}
