package dev.slipway.core.internal.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.core.events.AppRunnerEvent;
import dev.slipway.core.events.EventRule;
import dev.slipway.core.observe.JsonLinesFile;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the events that endpoint rules match, as signed CloudEvents, at least once and in order per rule and service.
 *
 * <p>What is owed is decided with the change that makes the events: {@link #owe} is called before the change is saved,
 * and its documents ({@code delivery/<rule>/<sequence>}) are saved in the same commit, so an event is owed exactly when
 * its change is saved, and a restarted control plane {@link #restore}s what it still owes. A delivered (or dead-lettered)
 * event's document is removed. Each (rule, service) is a queue with one event in flight: a failure is tried again with
 * exponential backoff (1 s, doubling, at most 60 s, with jitter) until the rule's retry policy runs out, then the event is
 * written to {@code dead-letter.log} and the queue moves on. One thread decides; the HTTP calls do not block it.
 */
final class EventDelivery implements AutoCloseable {
    static final String DEAD_LETTER_FILE = "dead-letter.log";
    static final String SIGNATURE_HEADER = "X-Slipway-Signature-256";
    private static final String PREFIX = "delivery/";
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(EventDelivery.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An event a rule owes its endpoint. {@code attempts} is the delivery thread's. */
    static final class Owed {
        final String key;
        final long sequence;
        final String rule;
        final JsonNode event;
        final Instant created;
        int attempts;
        String lastError = "";

        Owed(String key, long sequence, String rule, JsonNode event, Instant created) {
            this.key = key;
            this.sequence = sequence;
            this.rule = rule;
            this.event = event;
            this.created = created;
        }

        String document() {
            ObjectNode doc = JSON.createObjectNode();
            doc.put("sequence", sequence).put("rule", rule).put("created", created.toString()).set("event", event);
            return doc.toString();
        }

        String queue() {
            return rule + "\n" + event.path("resources").path(0).asText();
        }
    }

    private static final class Queue {
        final ArrayDeque<Owed> events = new ArrayDeque<>();
        boolean busy; // an attempt in flight, or a retry waiting
    }

    private final Map<String, EventRule> rules = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong(System.currentTimeMillis() * 1000);
    private final Map<String, Queue> queues = new HashMap<>(); // the delivery thread's
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "slipway-event-delivery");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final JsonLinesFile deadLetters;
    private final MeterRegistry meters;
    private volatile Consumer<Set<String>> forget = keys -> { };
    private volatile boolean closed;

    EventDelivery(JsonLinesFile deadLetters, MeterRegistry meters) {
        this.deadLetters = deadLetters;
        this.meters = meters;
    }

    static boolean isDeliveryKey(String key) {
        return key.startsWith(PREFIX);
    }

    /** Where delivered events' documents are removed from the state store. */
    void forgetWith(Consumer<Set<String>> forget) {
        this.forget = forget;
    }

    void put(EventRule rule) {
        rules.put(rule.name(), rule);
    }

    boolean remove(String name) {
        return rules.remove(name) != null;
    }

    List<EventRule> rules() {
        return rules.values().stream().sorted(Comparator.comparing(EventRule::name)).toList();
    }

    /** What the endpoint rules will owe for {@code events} (called under the state's write lock, before saving them). */
    List<Owed> owe(List<AppRunnerEvent> events) {
        if (rules.isEmpty()) {
            return List.of();
        }
        List<Owed> owed = new ArrayList<>();
        Instant now = Instant.now();
        for (AppRunnerEvent event : events) {
            JsonNode json = null;
            for (EventRule rule : rules()) {
                if (rule.endpoint().isPresent() && rule.matches(event)) {
                    json = json == null ? event.toJson() : json;
                    long n = sequence.incrementAndGet();
                    owed.add(new Owed(PREFIX + rule.name() + "/" + String.format("%019d", n), n, rule.name(), json, now));
                }
            }
        }
        return owed;
    }

    static Map<String, String> documents(Collection<Owed> owed) {
        Map<String, String> docs = new LinkedHashMap<>();
        owed.forEach(o -> docs.put(o.key, o.document()));
        return docs;
    }

    /** Starts sending what was saved as owed. */
    void saved(List<Owed> owed) {
        if (!owed.isEmpty()) {
            execute(() -> owed.forEach(this::enqueue));
        }
    }

    /** Takes back what a previous run still owed (documents read from the state store), before anything new. */
    void restore(Map<String, String> documents) {
        List<Owed> owed = new ArrayList<>();
        documents.forEach((key, json) -> {
            if (isDeliveryKey(key)) {
                try {
                    JsonNode doc = JSON.readTree(json);
                    owed.add(new Owed(key, doc.path("sequence").asLong(), doc.path("rule").asText(), doc.path("event"),
                            Instant.parse(doc.path("created").asText())));
                } catch (java.io.IOException | RuntimeException damaged) {
                    LOG.warn("dropping a damaged event delivery document {}: {}", key, damaged.getMessage());
                    forget.accept(Set.of(key));
                }
            }
        });
        owed.sort(Comparator.comparingLong(o -> o.sequence));
        if (!owed.isEmpty()) {
            sequence.accumulateAndGet(owed.get(owed.size() - 1).sequence, Math::max);
            LOG.info("{} event(s) not yet delivered by the previous run will be sent", owed.size());
            execute(() -> owed.forEach(this::enqueue));
        }
    }

    private void execute(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException stopped) {
            // closed: what is owed stays in the state store for the next run
        }
    }

    private void enqueue(Owed o) {
        Queue q = queues.computeIfAbsent(o.queue(), k -> new Queue());
        q.events.add(o);
        send(o.queue(), q);
    }

    private void send(String name, Queue q) {
        if (closed || q.busy) {
            return;
        }
        Owed o = q.events.peek();
        if (o == null) {
            queues.remove(name);
            return;
        }
        EventRule rule = rules.get(o.rule);
        if (rule == null || rule.endpoint().isEmpty()) {
            giveUp(name, q, o, "the rule " + o.rule + " no longer exists (it is not among the configured rules)");
            return;
        }
        byte[] body = cloudEvent(o.event);
        HttpRequest request = HttpRequest.newBuilder(rule.endpoint().get()).timeout(ATTEMPT_TIMEOUT)
                .header("Content-Type", JsonFormat.CONTENT_TYPE + "; charset=utf-8")
                .header(SIGNATURE_HEADER, "sha256=" + hmac(rule.secret().orElseThrow(), body))
                .header("User-Agent", "Slipway")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        q.busy = true;
        o.attempts++;
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .whenComplete((response, failure) -> execute(() -> answered(name, q, o, rule, response, failure)));
    }

    private void answered(String name, Queue q, Owed o, EventRule rule, HttpResponse<Void> response, Throwable failure) {
        q.busy = false;
        if (failure == null && response.statusCode() / 100 == 2) {
            counter("slipway.events.delivered", "Events delivered to an event rule's endpoint", rule.name()).increment();
            done(name, q, o);
            return;
        }
        o.lastError = failure != null ? describe(failure) : "the endpoint answered HTTP " + response.statusCode();
        counter("slipway.events.delivery.failures", "Attempts to deliver an event that failed (each is tried again)",
                rule.name()).increment();
        Duration age = Duration.between(o.created, Instant.now());
        if (o.attempts > rule.maximumRetryAttempts() || age.compareTo(rule.maximumEventAge()) >= 0) {
            giveUp(name, q, o, o.lastError);
            return;
        }
        long backoff = Math.min(60_000, 1000L << Math.min(o.attempts - 1, 6));
        backoff = (long) (backoff * ThreadLocalRandom.current().nextDouble(0.8, 1.0));
        long left = rule.maximumEventAge().minus(age).toMillis();
        LOG.info("event {} for rule {} not delivered ({}); attempt {} in {} ms", o.event.path("id").asText(), rule.name(),
                o.lastError, o.attempts + 1, Math.min(backoff, left));
        q.busy = true;
        try {
            thread.schedule(() -> {
                q.busy = false;
                send(name, q);
            }, Math.max(0, Math.min(backoff, left)), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopped) {
            // closed: it stays owed
        }
    }

    private void giveUp(String name, Queue q, Owed o, String why) {
        EventRule rule = rules.get(o.rule);
        ObjectNode letter = JSON.createObjectNode();
        letter.put("time", Instant.now().toString()).put("rule", o.rule)
                .put("endpoint", rule == null ? null : rule.endpoint().map(URI::toString).orElse(null))
                .put("attempts", o.attempts).put("reason", why).set("event", o.event);
        try {
            deadLetters.append(letter);
        } catch (RuntimeException failed) {
            LOG.error("cannot write event {} to the dead-letter file: {}", o.event.path("id").asText(), failed.getMessage());
        }
        LOG.warn("gave up delivering event {} for rule {} after {} attempt(s): {}; it is in events/{}",
                o.event.path("id").asText(), o.rule, o.attempts, why, DEAD_LETTER_FILE);
        counter("slipway.events.dead.lettered", "Events given up on and written to the dead-letter file", o.rule).increment();
        done(name, q, o);
    }

    private void done(String name, Queue q, Owed o) {
        q.events.poll();
        try {
            forget.accept(Set.of(o.key));
        } catch (RuntimeException e) {
            LOG.warn("could not remove delivered event {} from the state store (it may be sent again after a restart): {}",
                    o.event.path("id").asText(), e.getMessage());
        }
        send(name, q);
    }

    private Counter counter(String name, String description, String rule) {
        return Counter.builder(name).description(description).tag("rule", rule).register(meters);
    }

    /** The event as a CloudEvents 1.0 structured JSON event: EventBridge's envelope is its {@code data}. */
    static byte[] cloudEvent(JsonNode event) {
        CloudEvent ce = CloudEventBuilder.v1()
                .withId(event.path("id").asText())
                .withSource(URI.create(event.path("source").asText()))
                .withType(event.path("detail-type").asText())
                .withTime(OffsetDateTime.parse(event.path("time").asText()))
                .withSubject(event.path("resources").path(0).asText())
                .withDataContentType("application/json")
                .withData(event.toString().getBytes(StandardCharsets.UTF_8))
                .build();
        return EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE).serialize(ce);
    }

    static String hmac(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static String describe(Throwable failure) {
        Throwable t = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    /** Stops sending; what is not yet delivered stays owed in the state store. */
    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
    }
}
