package dev.slipway.core.internal.control;

import dev.slipway.core.InternalServiceErrorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves a change that records what already happened (an operation ended, a revision now serves) until it is saved:
 * a write that could not be saved is tried again after 1 s, 2 s ... then every 30 s, until {@link #close()}.
 */
final class UntilSaved implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UntilSaved.class);
    private final Object lock = new Object();
    private volatile boolean closed;

    /**
     * Runs {@code write} until it does not throw {@link InternalServiceErrorException} (the state could not be saved);
     * throws that once {@link #close()} was called.
     */
    void write(Runnable write) {
        long delay = 1000;
        for (int attempt = 1; ; attempt++) {
            try {
                write.run();
                if (attempt > 1) {
                    LOG.info("the state could be saved again after {} attempts", attempt);
                }
                return;
            } catch (InternalServiceErrorException e) {
                if (attempt == 1) {
                    LOG.warn("retrying until the state can be saved; the change shows once it is");
                }
                synchronized (lock) {
                    if (closed) {
                        throw e;
                    }
                    try {
                        lock.wait(delay); // woken early by close()
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw e;
                    }
                }
                delay = Math.min(delay * 2, 30_000);
            }
        }
    }

    boolean closed() {
        return closed;
    }

    /** Stops the retries: a write still failing throws. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
    }
}
