package dev.slipway.core.spi;

import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.observe.LogSink;
import java.time.Duration;

/**
 * Where instances run: local processes, containers, pods. The SPI is small on purpose; scaling, health checks and
 * traffic switching stay in core and the router so that every backend behaves alike.
 */
public interface ComputeBackend extends AutoCloseable {
    /** The name this backend is chosen by, e.g. {@code local}. */
    String name();

    /** Builds (or pulls) a revision, writing {@code [Build]} output to {@code buildLog}. */
    PreparedRevision prepare(RevisionSpec spec, LogSink buildLog) throws BuildFailedException;

    /** Starts one instance of a prepared revision; its stdout and stderr go to {@code instanceLog}. */
    InstanceHandle start(PreparedRevision revision, InstanceSpec spec, LogSink instanceLog);

    /** Stops an instance: a graceful signal first, then a forced stop after {@code grace}. Returns once it is gone. */
    void stop(InstanceHandle instance, Duration grace);

    /** Whether this backend can run ImageRepository sources (container images). */
    default boolean supportsImages() {
        return false;
    }

    /** Forgets a revision no instance uses any longer, freeing what it holds (workspace, image). */
    void discard(PreparedRevision revision);

    /** Stops every instance and build this backend started. */
    @Override
    void close();
}
