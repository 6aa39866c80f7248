package dev.slipway.core.internal.control;

import dev.slipway.core.events.AppRunnerEvent;
import dev.slipway.core.events.EventListener;
import dev.slipway.core.events.EventRule;
import io.micrometer.core.instrument.MeterRegistry;
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
 * 10 MiB, 10 kept; what {@code slipway events} reads) as they are saved, in order, then handed to the listeners (and the
 * listener rules they match) on one thread of their own, in the same order. Endpoint rules' deliveries are
 * {@link EventDelivery}'s, owed in the same commit as the change.
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

    private final EventDelivery delivery;

    /** One of the events of a change, and what the endpoint rules owe for them: saved with the change. */
    record Batch(List<AppRunnerEvent> events, List<EventDelivery.Owed> owed) {
        java.util.Map<String, String> documents() {
            return EventDelivery.documents(owed);
        }
    }

    public EventDispatch(Path dir, MeterRegistry meters) {
        this.file = JsonLinesFile.open(dir, FILE_NAME, 10L * 1024 * 1024, 10);
        this.delivery = new EventDelivery(JsonLinesFile.open(dir, EventDelivery.DEAD_LETTER_FILE, 10L * 1024 * 1024, 10), meters);
    }

    /** Adds {@code rule}, or replaces the rule of its name (which keeps what it owes, sent to the new endpoint). */
    public void putRule(EventRule rule) {
        delivery.put(rule);
    }

    /** Removes the rule {@code name}; what it still owes goes to the dead-letter file. False if there is none. */
    public boolean removeRule(String name) {
        return delivery.remove(name);
    }

    public List<EventRule> rules() {
        return delivery.rules();
    }

    /** What the rules will owe for {@code events}, to save with their change (under the state's write lock). */
    Batch batch(List<AppRunnerEvent> events) {
        return new Batch(events, delivery.owe(events));
    }

    /** Takes back the deliveries a previous run still owed. */
    void restore(java.util.Map<String, String> documents) {
        delivery.restore(documents);
    }

    /** Also tells {@code listener} of each event from now on. */
    public void addListener(EventListener listener) {
        listeners.add(listener);
    }

    /** The events of one saved change (called under the state's write lock: it only appends and queues). */
    void saved(Batch batch) {
        List<AppRunnerEvent> events = batch.events();
        for (AppRunnerEvent e : events) {
            try {
                file.append(e.toJson());
            } catch (RuntimeException failed) {
                LOG.error("cannot write event {} to the events file: {}", e.id(), failed.getMessage());
            }
        }
        delivery.saved(batch.owed());
        List<EventRule> ruled = delivery.rules().stream().filter(r -> r.listener().isPresent()).toList();
        if (!listeners.isEmpty() || !ruled.isEmpty()) {
            thread.execute(() -> events.forEach(e -> {
                listeners.forEach(l -> tell(l, e));
                ruled.stream().filter(r -> r.matches(e)).forEach(r -> tell(r.listener().get(), e));
            }));
        }
    }

    private static void tell(EventListener listener, AppRunnerEvent e) {
        try {
            listener.onEvent(e);
        } catch (RuntimeException failed) {
            LOG.warn("an event listener failed on event {}: {}", e.id(), failed.toString());
        }
    }

    /** Lets the listeners have what was queued (a few seconds at most), then stops. */
    @Override
    public void close() {
        delivery.close();
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Wires {@code state}'s saved changes to this dispatch. */
    public void listenTo(ControlState state, String account, String region) {
        state.emitEvents(this, account, region);
        delivery.forgetWith(state::forget);
    }
}
