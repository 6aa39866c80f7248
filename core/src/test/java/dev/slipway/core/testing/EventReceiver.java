package dev.slipway.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real HTTP endpoint for event rules, as a user would write one: it checks each delivery's
 * {@code X-Slipway-Signature-256} against the shared secret, reads the body as a CloudEvent with the CloudEvents SDK, and
 * answers 503 to the next {@link #failNext} deliveries, 204 to the others.
 */
public final class EventReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One delivery: the CloudEvent, its data (the EventBridge-shaped event), whether its signature held, and the answer. */
    public record Delivery(CloudEvent cloudEvent, JsonNode event, boolean signed, int answered) {
    }

    private final HttpServer server;
    private final String secret;
    private final AtomicInteger failures = new AtomicInteger();
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

    private EventReceiver(HttpServer server, String secret) {
        this.server = server;
        this.secret = secret;
    }

    /** Listens on {@code port} of 127.0.0.1 (0: any free one). */
    public static EventReceiver start(int port, String secret) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        EventReceiver receiver = new EventReceiver(server, secret);
        server.createContext("/events", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String signature = exchange.getRequestHeaders().getFirst("X-Slipway-Signature-256");
            boolean signed = signature != null && MessageDigest.isEqual(signature.getBytes(StandardCharsets.UTF_8),
                    ("sha256=" + receiver.hmac(body)).getBytes(StandardCharsets.UTF_8));
            CloudEvent ce = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE).deserialize(body);
            int status = receiver.failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 503 : signed ? 204 : 401;
            receiver.deliveries.add(new Delivery(ce, JSON.readTree(ce.getData().toBytes()), signed, status));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        return receiver;
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/events");
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Answers 503 to the next {@code n} deliveries. */
    public void failNext(int n) {
        failures.set(n);
    }

    /** Every delivery attempt, in the order they came. */
    public List<Delivery> attempts() {
        return List.copyOf(deliveries);
    }

    /** The events this endpoint accepted (answered 2xx), in the order it accepted them. */
    public List<JsonNode> accepted() {
        return deliveries.stream().filter(d -> d.answered() / 100 == 2).map(Delivery::event).toList();
    }

    private String hmac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
