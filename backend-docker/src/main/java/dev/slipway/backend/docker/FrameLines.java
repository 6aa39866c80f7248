package dev.slipway.backend.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** A container's log stream as lines: frames are joined and split at newlines, each whole line handed on. */
public class FrameLines extends ResultCallback.Adapter<Frame> {
    private final StringBuilder partial = new StringBuilder();
    private final Consumer<String> lines;

    public FrameLines(Consumer<String> lines) {
        this.lines = lines;
    }

    @Override
    public void onNext(Frame frame) {
        partial.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
        for (int nl; (nl = partial.indexOf("\n")) >= 0; ) {
            lines.accept(partial.substring(0, nl));
            partial.delete(0, nl + 1);
        }
    }
}
