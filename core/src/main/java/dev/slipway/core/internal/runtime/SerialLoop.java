package dev.slipway.core.internal.runtime;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service's reconciler loop: its work runs one piece at a time, in order, as on a thread of its own, but on threads
 * shared by every service (named {@code slipway-reconciler-<service>} while they run its work). A service with nothing
 * to do holds no thread: 10,000 idle services are not 10,000 threads.
 */
final class SerialLoop implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(SerialLoop.class);

    private final String name;
    private final Executor threads;
    private final ScheduledExecutorService timer;
    private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile boolean shutdown;

    /**
     * @param threads runs the work (shared by every service)
     * @param timer   only hands delayed work over when it is due (shared)
     */
    SerialLoop(String name, Executor threads, ScheduledExecutorService timer) {
        this.name = name;
        this.threads = threads;
        this.timer = timer;
    }

    /** Runs {@code work} after everything handed over before it; refused once {@link #shutdownNow} was called. */
    @Override
    public void execute(Runnable work) {
        if (shutdown) {
            throw new RejectedExecutionException(name + " is closed");
        }
        queue.add(work);
        drainSoon();
    }

    /** Runs {@code work} on this loop after {@code delay}; dropped if the loop was closed by then. */
    void schedule(Runnable work, long delay, TimeUnit unit) {
        timer.schedule(() -> {
            if (!shutdown) {
                execute(work);
            }
        }, delay, unit);
    }

    /** Drops what waits and refuses more; the piece of work running now (if any) ends as it will. */
    void shutdownNow() {
        shutdown = true;
        queue.clear();
    }

    boolean isShutdown() {
        return shutdown;
    }

    private void drainSoon() {
        if (draining.compareAndSet(false, true)) {
            threads.execute(this::drain);
        }
    }

    private void drain() {
        Thread thread = Thread.currentThread();
        String shared = thread.getName();
        thread.setName(name);
        try {
            for (Runnable work; !shutdown && (work = queue.poll()) != null; ) {
                try {
                    work.run();
                } catch (RuntimeException | Error e) {
                    LOG.error("{}: a piece of work failed", name, e);
                }
            }
        } finally {
            thread.setName(shared);
            draining.set(false);
            if (!shutdown && !queue.isEmpty()) {
                drainSoon(); // handed over while this drain was finishing
            }
        }
    }
}
