package dev.slipway.core.internal.deploy;

import dev.slipway.core.observe.LogSink;

/**
 * The deployment log stream of one operation, as the guide shows it: {@code [AppRunner]} lines for Slipway's own
 * steps (numbered from the pipeline's progress events) and {@code [Build]} lines for the output of build commands.
 */
public final class DeploymentLog implements LogSink {
    private final LogSink sink;

    public DeploymentLog(LogSink sink) {
        this.sink = sink;
    }

    /** A step of a pipeline started: {@code [AppRunner] [index/total] title}. */
    public void progress(int index, int total, String title) {
        sink.line("[AppRunner] [" + index + "/" + total + "] " + title);
    }

    /** A detail of the current step. */
    @Override
    public void line(String text) {
        sink.line("[AppRunner] " + text);
    }

    /** The sink for build command output. */
    public LogSink build() {
        return text -> sink.line("[Build] " + text);
    }
}
