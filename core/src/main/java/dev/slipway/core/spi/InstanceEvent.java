package dev.slipway.core.spi;

/** What happened to an instance, as its backend reports it. */
public sealed interface InstanceEvent {
    String instanceId();

    /** The platform's readiness probe passed (only from backends with platform health checks). */
    record Ready(String instanceId) implements InstanceEvent {
    }

    /**
     * The instance ended: it exited by itself, or was stopped.
     *
     * @param exitCode the process's exit code, or 128 + signal number
     * @param reason   for people, e.g. {@code exited with code 1} or {@code stopped}
     */
    record Exited(String instanceId, int exitCode, String reason) implements InstanceEvent {
    }

    /** The instance was killed because it used more than its memory limit. */
    record OutOfMemory(String instanceId, int memoryMiB) implements InstanceEvent {
    }
}
