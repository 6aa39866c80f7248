package dev.slipway.core.internal.control;

import dev.slipway.core.events.AppRunnerEvent;
import dev.slipway.core.events.EventListener;
import dev.slipway.core.observe.JsonLinesFile;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the events of saved changes go: appended to {@code <state-dir>/events/events.log} (JSON lines, rotated past
 * 10 MiB, 10 kept; what {@code slipway events} reads) as they are saved, in order, then handed to the listeners on one
 * thread of their own, in the same order.
 */
public final class EventDispatch implements AutoCloseable {
    public static final String FILE_NAME = "events.log";
    private static final Logger LOG = LoggerFactory.getLogger(EventDispatch.class);

    private final JsonLinesFile file;
    private final List<EventListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "slipway-events");
        t.setDaemon(true);
        return t;
    });

    public EventDispatch(Path dir) {
        this.file = JsonLinesFile.open(dir, FILE_NAME, 10L * 1024 * 1024, 10);
    }

    /** Also tells {@code listener} of each event from now on. */
    public void addListener(EventListener listener) {
        listeners.add(listener);
    }

    /** The events of one saved change (called under the state's write lock: it only appends and queues). */
    void saved(List<AppRunnerEvent> events) {
        for (AppRunnerEvent e : events) {
            try {
                file.append(e.toJson());
            } catch (RuntimeException failed) {
                LOG.error("cannot write event {} to the events file: {}", e.id(), failed.getMessage());
            }
        }
        if (!listeners.isEmpty()) {
            thread.execute(() -> events.forEach(e -> listeners.forEach(l -> {
                try {
                    l.onEvent(e);
                } catch (RuntimeException failed) {
                    LOG.warn("an event listener failed on event {}: {}", e.id(), failed.toString());
                }
            })));
        }
    }

    /** Lets the listeners have what was queued (a few seconds at most), then stops. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Wires {@code state}'s saved changes to this dispatch. */
    public void listenTo(ControlState state, String account, String region) {
        state.emitEvents(this::saved, account, region);
    }
}
