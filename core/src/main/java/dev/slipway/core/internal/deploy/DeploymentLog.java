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

    /**
     * The sink for build command output, without terminal escape sequences (colours, cursor moves: Maven, npm and Gradle
     * print them even to a pipe at times), which a log file or a browser would show as noise.
     */
    public LogSink build() {
        return text -> sink.line("[Build] " + plain(text));
    }

    /** ANSI escape sequences: CSI (ESC [ ... final byte), OSC (ESC ] ... BEL or ESC \), and two-byte ESC sequences. */
    private static final java.util.regex.Pattern ESCAPES = java.util.regex.Pattern.compile(
            "\u001B\\[[0-?]*[ -/]*[@-~]|\u001B\\][^\u0007\u001B]*(\u0007|\u001B\\\\)|\u001B[@-Z\\\\-_]");

    /** {@code text} without terminal escape sequences. */
    static String plain(String text) {
        return text.indexOf('\u001B') < 0 ? text : ESCAPES.matcher(text).replaceAll("");
    }
}
