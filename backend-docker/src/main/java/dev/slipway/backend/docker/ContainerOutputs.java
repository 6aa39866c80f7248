package dev.slipway.backend.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The output of the containers a Docker backend runs, followed as lines into each instance's log until the container
 * ends. For a durable control plane ({@code keepFor}, its work directory), the engine's time of each line taken is
 * kept ({@link OutputMark}, {@code <work-dir>/output/<container>.mark}), so a restarted one follows an adopted
 * container on from the line after the last one taken; otherwise an adopted container is followed from now.
 */
final class ContainerOutputs {
    private final DockerClient docker;
    private final Optional<Path> keepFor;
    /** The streams followed, by container id, until the container ended. */
    private final Map<String, ResultCallback.Adapter<?>> streams = new ConcurrentHashMap<>();

    ContainerOutputs(DockerClient docker, Optional<Path> keepFor) {
        this.docker = docker;
        this.keepFor = keepFor;
    }

    /** Follows a container this backend started (all its output), or one it adopted (from where it was left). */
    void follow(String containerId, boolean adopted, Consumer<String> lines) {
        var logs = docker.logContainerCmd(containerId).withFollowStream(true).withStdOut(true).withStdErr(true);
        if (keepFor.isEmpty()) {
            if (adopted) {
                logs.withSince((int) (System.currentTimeMillis() / 1000));
            }
            streams.put(containerId, logs.exec(new FrameLines(lines)));
            return;
        }
        Path mark = mark(containerId);
        Optional<Instant> after = OutputMark.read(mark);
        after.ifPresent(t -> logs.withSince((int) t.getEpochSecond()));
        streams.put(containerId, logs.withTimestamps(true).exec(OutputMark.follow(mark, after, lines)));
    }

    /** Waits (a few seconds at most) until the output of an ended container was read to its end. */
    void awaitEnd(String containerId) {
        ResultCallback.Adapter<?> stream = streams.remove(containerId);
        if (stream != null) {
            try {
                stream.awaitCompletion(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException cut) {
                // the stream ended in an error (the engine's connection closed with the backend): nothing more to read
            }
        }
    }

    /** Forgets a removed container (its mark). */
    void forget(String containerId) {
        keepFor.ifPresent(dir -> OutputMark.delete(mark(containerId)));
    }

    private Path mark(String containerId) {
        return keepFor.orElseThrow().resolve("output").resolve(containerId + ".mark");
    }
}
