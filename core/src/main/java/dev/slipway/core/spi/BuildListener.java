package dev.slipway.core.spi;

/** Receives a preparation's output lines and its progress. Implementations must be thread-safe and quick. */
public interface BuildListener {
    /** A line of build output (the deployment log shows it as {@code [Build] ...}). */
    void output(String line);

    /**
     * A build step started, as Jib's progress events report them.
     *
     * @param step  what it does, e.g. {@code build: npm ci}
     * @param index 1-based number of this step
     * @param total how many steps the preparation has
     */
    default void progress(String step, int index, int total) {
    }

    /** A listener that drops everything. */
    BuildListener DISCARD = line -> { };
}
