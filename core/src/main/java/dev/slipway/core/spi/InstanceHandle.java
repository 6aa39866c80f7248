package dev.slipway.core.spi;

import java.util.concurrent.CompletableFuture;

/** A started instance of a revision, as its backend reports it. */
public interface InstanceHandle {
    String instanceId();

    /** Host the instance's HTTP endpoint listens on, as the router reaches it. */
    String host();

    /** Port the instance's HTTP endpoint listens on, as the router reaches it. */
    int port();

    boolean isAlive();

    /** Completes with a description of the exit (e.g. {@code exit code 1}) once the instance has stopped. */
    CompletableFuture<String> exited();
}
