package dev.slipway.core.internal.runtime;

import dev.slipway.core.model.HealthCheckConfiguration;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.InstanceHandle;
import dev.slipway.core.spi.InstanceListener;
import dev.slipway.core.spi.InstanceSpec;
import dev.slipway.core.spi.PreparedRevision;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a service's instances off its reconciler's loop: the backend's start may block (an image pulled, a pod
 * scheduled), so it runs on the shared start pool, and its outcome goes back to the loop. Keeps the starts still
 * running until the loop has taken their outcome, so that {@link #stopLeft} can stop what nobody took.
 */
final class InstanceStarter {
    private static final Logger LOG = LoggerFactory.getLogger(InstanceStarter.class);

    private final String serviceName;
    private final ComputeBackend backend;
    private final ExecutorService starts;
    private final Duration bound;
    private final Map<ObservedInstance, CompletableFuture<InstanceHandle>> running = new ConcurrentHashMap<>();

    InstanceStarter(String serviceName, ComputeBackend backend, ExecutorService starts, Duration bound) {
        this.serviceName = serviceName;
        this.backend = backend;
        this.starts = starts;
        this.bound = bound;
    }

    /** Starts {@code i}; once the backend's start returned (or threw), {@code ended} is handed its outcome. */
    void start(ObservedInstance i, PreparedRevision revision, InstanceSpec spec, HealthCheckConfiguration healthCheck,
               InstanceListener listener, Consumer<CompletableFuture<InstanceHandle>> ended) {
        CompletableFuture<InstanceHandle> start = new CompletableFuture<>();
        running.put(i, start);
        try {
            starts.execute(() -> {
                try {
                    start.complete(backend.start(revision, spec, healthCheck, listener));
                } catch (RuntimeException e) {
                    start.completeExceptionally(e);
                }
                ended.accept(start);
            });
        } catch (RejectedExecutionException stopping) {
            running.remove(i);
        }
    }

    /** Whether {@code i}'s start has not been taken yet. */
    boolean isStarting(ObservedInstance i) {
        return running.containsKey(i);
    }

    /** The loop took {@code i}'s outcome (and stopped it, if it was no longer wanted). */
    void taken(ObservedInstance i) {
        running.remove(i);
    }

    /** At close, off the loop: waits for the starts nobody took (at most the startup timeout) and stops what they started. */
    void stopLeft() {
        for (CompletableFuture<InstanceHandle> start : running.values()) {
            try {
                backend.stop(start.get(bound.toMillis(), TimeUnit.MILLISECONDS), Duration.ZERO);
            } catch (ExecutionException failedToStart) {
                // nothing runs
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.warn("service {}: interrupted while an instance's start ran; it may be left running", serviceName);
            } catch (TimeoutException e) {
                LOG.warn("service {}: an instance's start did not end in {}s; it may be left running", serviceName, bound.toSeconds());
            }
        }
    }
}
