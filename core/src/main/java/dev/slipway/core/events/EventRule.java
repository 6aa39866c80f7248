package dev.slipway.core.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.core.InvalidRequestException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A subscription to events, as an EventBridge rule: a name, an {@link EventPattern}, and where the events it matches go.
 * <ul>
 * <li>An <b>HTTP endpoint</b> ({@link #toEndpoint}): each event is POSTed as a CloudEvents 1.0 structured JSON event
 * (the EventBridge-shaped event as its {@code data}), signed with {@code X-Slipway-Signature-256: sha256=<hex HMAC-SHA256
 * of the body with the rule's secret>}. At least once, in order per service: a 2xx answer is a delivery; anything else is
 * tried again with exponential backoff (1 s doubling to 1 min) until {@link #maximumEventAge()} or
 * {@link #maximumRetryAttempts()} runs out (EventBridge's retry policy and defaults: 24 h, 185), then the event goes to
 * {@code <state-dir>/events/dead-letter.log} and the next one is sent. Events not yet delivered are in the state store,
 * so a restarted control plane sends them (if the rule is there again by its name).</li>
 * <li>A <b>listener</b> ({@link #toListener}): told in process, in order, on Slipway's events thread.</li>
 * </ul>
 */
public final class EventRule {
    /** EventBridge's rule names. */
    private static final Pattern NAME = Pattern.compile("[.\\-_A-Za-z0-9]{1,64}");
    public static final Duration DEFAULT_MAXIMUM_EVENT_AGE = Duration.ofHours(24);
    public static final int DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 185;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final EventPattern pattern;
    private final URI endpoint;
    private final String secret;
    private final EventListener listener;
    private final Duration maximumEventAge;
    private final int maximumRetryAttempts;

    private EventRule(String name, EventPattern pattern, URI endpoint, String secret, EventListener listener,
                      Duration maximumEventAge, int maximumRetryAttempts) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidRequestException("An event rule's name must be 1 to 64 letters, digits, '.', '-' or '_', not '"
                    + name + "'.");
        }
        this.name = name;
        this.pattern = Objects.requireNonNull(pattern, "pattern");
        this.endpoint = endpoint;
        this.secret = secret;
        this.listener = listener;
        if (maximumEventAge.compareTo(Duration.ofSeconds(1)) < 0 || maximumEventAge.compareTo(DEFAULT_MAXIMUM_EVENT_AGE) > 0) {
            throw new InvalidRequestException("Event rule " + name + ": maximumEventAgeInSeconds must be 1 to 86400, not "
                    + maximumEventAge.toSeconds() + ".");
        }
        if (maximumRetryAttempts < 0 || maximumRetryAttempts > DEFAULT_MAXIMUM_RETRY_ATTEMPTS) {
            throw new InvalidRequestException("Event rule " + name + ": maximumRetryAttempts must be 0 to 185, not "
                    + maximumRetryAttempts + ".");
        }
        this.maximumEventAge = maximumEventAge;
        this.maximumRetryAttempts = maximumRetryAttempts;
    }

    /**
     * Events matching {@code pattern} go to {@code endpoint} (http or https) as signed CloudEvents. {@code secret} (at
     * least 16 characters) signs them; it is never logged nor stored with the events.
     */
    public static EventRule toEndpoint(String name, EventPattern pattern, URI endpoint, String secret) {
        String scheme = endpoint == null ? null : endpoint.getScheme();
        if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || endpoint.getHost() == null) {
            throw new InvalidRequestException("Event rule " + name + ": the endpoint must be an http:// or https:// URL, not '"
                    + endpoint + "'.");
        }
        if (secret == null || secret.length() < 16) {
            throw new InvalidRequestException("Event rule " + name + ": the secret that signs its deliveries must be at least "
                    + "16 characters (e.g. the output of 'openssl rand -hex 32').");
        }
        return new EventRule(name, pattern, endpoint, secret, null, DEFAULT_MAXIMUM_EVENT_AGE, DEFAULT_MAXIMUM_RETRY_ATTEMPTS);
    }

    /** Events matching {@code pattern} go to {@code listener}, in process. */
    public static EventRule toListener(String name, EventPattern pattern, EventListener listener) {
        return new EventRule(name, pattern, null, null, Objects.requireNonNull(listener, "listener"),
                DEFAULT_MAXIMUM_EVENT_AGE, DEFAULT_MAXIMUM_RETRY_ATTEMPTS);
    }

    /** This rule, giving up on an event (to the dead-letter file) once it is this old (1 s to 24 h) or tried this often (0 to 185 retries). */
    public EventRule withRetryPolicy(Duration maximumEventAge, int maximumRetryAttempts) {
        return new EventRule(name, pattern, endpoint, secret, listener, maximumEventAge, maximumRetryAttempts);
    }

    /**
     * Rules from JSON, as {@code slipway server --event-rules FILE} reads them:
     * <pre>{"rules": [{"name": "failed-deployments",
     *             "eventPattern": {"source": ["aws.apprunner"], "detail": {"Status": [{"suffix": "Failed"}]}},
     *             "endpoint": "https://hooks.example.com/slipway", "secret": "...",
     *             "retryPolicy": {"maximumEventAgeInSeconds": 3600, "maximumRetryAttempts": 20}}]}</pre>
     * {@code eventPattern} may also be a string of JSON, as EventBridge's PutRule takes it. Throws
     * {@link InvalidRequestException} naming the rule, the field and the rule it breaks (or the line, for bad JSON).
     */
    public static List<EventRule> listFromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("The event rules are not valid JSON: " + e.getOriginalMessage() + " (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ").");
        }
        if (root == null || !root.path("rules").isArray()) {
            throw new InvalidRequestException("The event rules must be a JSON object with an array \"rules\".");
        }
        List<EventRule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int index = 0;
        for (JsonNode r : root.path("rules")) {
            String at = "rules[" + index++ + "]";
            if (!r.isObject()) {
                throw new InvalidRequestException(at + " must be an object.");
            }
            for (Iterator<String> it = r.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (!Set.of("name", "eventPattern", "endpoint", "secret", "retryPolicy").contains(field)) {
                    throw new InvalidRequestException(at + " has an unknown field \"" + field
                            + "\" (known: name, eventPattern, endpoint, secret, retryPolicy).");
                }
            }
            String name = text(r, "name", at);
            at = at + " (" + name + ")";
            JsonNode p = r.get("eventPattern");
            if (p == null || !(p.isObject() || p.isTextual())) {
                throw new InvalidRequestException(at + ": eventPattern must be an EventBridge event pattern (an object, "
                        + "or a string of JSON).");
            }
            EventPattern pattern;
            try {
                pattern = EventPattern.parse(p.isTextual() ? p.asText() : p.toString());
            } catch (InvalidRequestException e) {
                throw new InvalidRequestException(at + ": " + e.getMessage());
            }
            URI endpoint;
            try {
                endpoint = URI.create(text(r, "endpoint", at));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException(at + ": endpoint is not a URL: " + e.getMessage());
            }
            EventRule rule = toEndpoint(name, pattern, endpoint, text(r, "secret", at));
            JsonNode retry = r.path("retryPolicy");
            if (!retry.isMissingNode()) {
                rule = rule.withRetryPolicy(Duration.ofSeconds(integer(retry, "maximumEventAgeInSeconds", at,
                                DEFAULT_MAXIMUM_EVENT_AGE.toSeconds())),
                        (int) integer(retry, "maximumRetryAttempts", at, DEFAULT_MAXIMUM_RETRY_ATTEMPTS));
            }
            if (!names.add(name)) {
                throw new InvalidRequestException(at + ": another rule has the name " + name + "; names must be unique.");
            }
            rules.add(rule);
        }
        return List.copyOf(rules);
    }

    private static String text(JsonNode r, String field, String at) {
        JsonNode v = r.get(field);
        if (v == null || !v.isTextual()) {
            throw new InvalidRequestException(at + ": " + field + " must be a string.");
        }
        return v.asText();
    }

    private static long integer(JsonNode r, String field, String at, long otherwise) {
        JsonNode v = r.get(field);
        if (v == null) {
            return otherwise;
        }
        if (!v.canConvertToLong() || !v.isIntegralNumber()) {
            throw new InvalidRequestException(at + ": retryPolicy." + field + " must be a whole number.");
        }
        return v.asLong();
    }

    public String name() {
        return name;
    }

    public EventPattern pattern() {
        return pattern;
    }

    /** Where the rule POSTs its events; empty for a listener's rule. */
    public Optional<URI> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    /** The secret that signs the deliveries to the endpoint. */
    public Optional<String> secret() {
        return Optional.ofNullable(secret);
    }

    public Optional<EventListener> listener() {
        return Optional.ofNullable(listener);
    }

    public Duration maximumEventAge() {
        return maximumEventAge;
    }

    public int maximumRetryAttempts() {
        return maximumRetryAttempts;
    }

    /** Whether {@code event} is one of this rule's. */
    public boolean matches(AppRunnerEvent event) {
        return pattern.matches(event);
    }

    @Override
    public String toString() { // never the secret
        return "EventRule[" + name + " " + pattern + " -> " + (endpoint != null ? endpoint : "listener") + "]";
    }
}
