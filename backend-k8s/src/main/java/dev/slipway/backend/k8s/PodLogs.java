package dev.slipway.backend.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Follows each pod's log ({@code follow=true&timestamps=true}) into its instance's listener. API servers and proxies
 * cut long streams, so a stream that ends while the container still runs is opened again from the last line's time
 * (second precision, lines already seen skipped by their nanosecond timestamp). Once the container ended and its log
 * was read to the end, the instance's last event is delivered: output always comes before the exit.
 */
final class PodLogs {
    private static final long RECONNECT_MILLIS = 500;

    private final KubernetesClient client;
    private final String namespace;
    private final ExecutorService readers;
    private final ScheduledExecutorService timer;

    PodLogs(KubernetesClient client, String namespace, ExecutorService readers, ScheduledExecutorService timer) {
        this.client = client;
        this.namespace = namespace;
        this.readers = readers;
        this.timer = timer;
    }

    /** Starts following, once per instance. */
    void follow(PodInstance instance) {
        if (instance.logsStarted.compareAndSet(false, true)) {
            readers.execute(() -> read(instance, null));
        }
    }

    /** Delivers the last event of an instance whose log can no longer be read (its container never ran). */
    void finishWithoutLog(PodInstance instance) {
        if (instance.logsStarted.compareAndSet(false, true)) {
            instance.deliverLast();
        }
    }

    private void read(PodInstance instance, Instant since) {
        boolean endedBefore = instance.hasEnded(); // a read that began after the end gets everything
        Instant last = since;
        try (LogWatch watch = client.pods().inNamespace(namespace).withName(instance.podName).inContainer(PodSpecs.CONTAINER)
                .withReadyWaitTimeout(0).usingTimestamps()
                .sinceTime(last == null ? null : last.truncatedTo(ChronoUnit.SECONDS).toString()).watchLog();
             BufferedReader lines = new BufferedReader(new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                int space = line.indexOf(' ');
                Instant at = space > 0 ? timestamp(line.substring(0, space)) : null;
                if (last != null && at != null && !at.isAfter(last)) {
                    continue; // seen before the stream was opened again
                }
                if (at != null) {
                    last = at;
                }
                instance.listener.output(at != null ? line.substring(space + 1) : line);
            }
        } catch (IOException | KubernetesClientException e) {
            // the pod is gone, or the stream broke: its end (or a new read) follows
        }
        Instant from = last;
        if (endedBefore) {
            instance.deliverLast();
        } else if (instance.hasEnded()) {
            readers.execute(() -> read(instance, from)); // the end came while reading: one more read gets the rest
        } else {
            timer.schedule(() -> readers.execute(() -> read(instance, from)), RECONNECT_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private static Instant timestamp(String rfc3339) {
        try {
            return Instant.parse(rfc3339);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
