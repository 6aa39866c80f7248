package dev.slipway.core.observe;

/** Receives the lines of one log stream. Implementations must be thread-safe and must not block for long. */
@FunctionalInterface
public interface LogSink {
    void line(String line);

    /** A sink that drops every line. */
    LogSink DISCARD = line -> { };
}
