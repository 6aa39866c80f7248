package dev.slipway.core.spi;

import java.net.URI;
import java.util.Optional;

/**
 * Where the router sends the spans of the services whose observability configuration turns tracing on: an
 * OpenTelemetry collector's OTLP/HTTP traces endpoint ({@code http://collector:4318/v1/traces}). Without one, traced
 * services still get {@code traceparent} and {@code X-Amzn-Trace-Id}, and the spans are dropped.
 */
public record RouterTracing(Optional<URI> otlpEndpoint) {
    public static final RouterTracing NONE = new RouterTracing(Optional.empty());

    public RouterTracing {
        otlpEndpoint.ifPresent(u -> {
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("the OTLP endpoint must be an http:// or https:// URL (e.g. "
                        + "http://127.0.0.1:4318/v1/traces), not '" + u + "'");
            }
        });
    }

    /** Spans go to {@code endpoint} (OTLP/HTTP, protobuf). */
    public static RouterTracing otlp(URI endpoint) {
        return new RouterTracing(Optional.of(endpoint));
    }
}
