package dev.slipway.core.spi;

/** Receives what one instance prints and what happens to it. Implementations must be thread-safe and quick. */
public interface InstanceListener {
    /** A line the application printed (stdout and stderr). */
    void output(String line);

    /** An event of the instance; {@link InstanceEvent.Exited} (or OutOfMemory) comes exactly once, last. */
    void onEvent(InstanceEvent event);
}
