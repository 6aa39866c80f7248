package dev.slipway.core.spi;

/** What happened to an instance, as its backend reports it. */
public sealed interface InstanceEvent {
    String instanceId();

    /** What went wrong, for people (e.g. {@code exited with code 1}); null when nothing did. */
    default String problem() {
        return null;
    }

    /** The platform's readiness probe passed (only from backends with platform health checks). */
    record Ready(String instanceId) implements InstanceEvent {
    }

    /**
     * The instance listens on other ports, but not on the one it was given (an app with a fixed port, on a backend
     * that shares the host's network): it will never pass its health checks.
     */
    record ListeningElsewhere(String instanceId, int givenPort, int foundPort) implements InstanceEvent {
        @Override
        public String problem() {
            return "listens on port " + foundPort + ", not on port " + givenPort + ": on this backend instances share the "
                    + "host's network, so the application must listen on the port given in the PORT environment variable ("
                    + givenPort + "), not a fixed one. Change it to read PORT, or run it where each instance has a network "
                    + "of its own and its port (apprunner.yaml run.network.port, here " + foundPort + ") is used: the docker "
                    + "backend on an engine with a bridge network, or kubernetes";
        }
    }

    /**
     * The instance ended: it exited by itself, or was stopped.
     *
     * @param exitCode the process's exit code, or 128 + signal number
     * @param reason   for people, e.g. {@code exited with code 1} or {@code stopped}
     */
    record Exited(String instanceId, int exitCode, String reason) implements InstanceEvent {
        @Override
        public String problem() {
            return reason;
        }
    }

    /** The instance was killed because it used more than its memory limit. */
    record OutOfMemory(String instanceId, int memoryMiB) implements InstanceEvent {
        @Override
        public String problem() {
            return "was killed for using more than its " + memoryMiB + " MiB of memory";
        }
    }
}
