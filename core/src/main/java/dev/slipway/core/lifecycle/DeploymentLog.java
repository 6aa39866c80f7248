package dev.slipway.core.lifecycle;

import dev.slipway.core.observe.LogSink;

/**
 * The deployment log stream of one operation, as the guide shows it: {@code [AppRunner]} lines for Slipway's own
 * steps (numbered, for progress) and {@code [Build]} lines for the output of build commands.
 */
public final class DeploymentLog {
    private final LogSink sink;
    private final int totalSteps;
    private int step;

    public DeploymentLog(LogSink sink, int totalSteps) {
        this.sink = sink;
        this.totalSteps = totalSteps;
    }

    /** Starts the next numbered step. */
    public synchronized void step(String what) {
        step++;
        sink.line("[AppRunner] [" + Math.min(step, totalSteps) + "/" + totalSteps + "] " + what);
    }

    /** A detail of the current step. */
    public void line(String text) {
        sink.line("[AppRunner] " + text);
    }

    /** The sink for build command output. */
    public LogSink build() {
        return text -> sink.line("[Build] " + text);
    }
}
