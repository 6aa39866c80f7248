package dev.slipway.router.netty;

import dev.slipway.core.routing.RoutingView;
import dev.slipway.core.spi.RouterTracing;
import dev.slipway.router.netty.http1.RequestHead;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The router's spans, for the routes of services whose observability configuration turns tracing on: one SERVER span
 * per request (its parent the incoming W3C {@code traceparent}, if any), whose context reaches the instance as a new
 * {@code traceparent} and as X-Ray's {@code X-Amzn-Trace-Id}. Each service is its own OpenTelemetry resource
 * ({@code service.name}); all spans go through one batch processor (a bounded queue that drops, never blocks, when
 * full) to the OTLP/HTTP endpoint. Trace ids the router starts begin with the time in seconds, as X-Ray's do.
 */
final class RequestTracing implements AutoCloseable {
    static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
    static final AttributeKey<String> CLIENT = AttributeKey.stringKey("client.address");
    static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<Long> REQUEST_BYTES = AttributeKey.longKey("slipway.request.bytes");
    static final AttributeKey<Long> RESPONSE_BYTES = AttributeKey.longKey("slipway.response.bytes");
    static final AttributeKey<String> INSTANCE = AttributeKey.stringKey("slipway.instance.id");
    static final AttributeKey<Double> QUEUE_MS = AttributeKey.doubleKey("slipway.queue.wait_ms");
    static final AttributeKey<Double> UPSTREAM_MS = AttributeKey.doubleKey("slipway.upstream.duration_ms");

    private static final TextMapGetter<RequestHead> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(RequestHead head) {
            return head.traceparent == null ? List.of() : List.of("traceparent");
        }

        @Override
        public String get(RequestHead head, String key) {
            return "traceparent".equals(key) ? head.traceparent : null;
        }
    };

    private final SpanProcessor processor;
    /** By service id. */
    private final Map<String, Tracer> tracers = new ConcurrentHashMap<>();

    private RequestTracing(SpanProcessor processor) {
        this.processor = processor;
    }

    static RequestTracing start(RouterTracing settings) {
        SpanExporter exporter = settings.otlpEndpoint()
                .<SpanExporter>map(u -> OtlpHttpSpanExporter.builder().setEndpoint(u.toString()).setTimeout(Duration.ofSeconds(10)).build())
                .orElseGet(Dropped::new);
        return new RequestTracing(BatchSpanProcessor.builder(exporter).setMaxQueueSize(8192).setMaxExportBatchSize(2048)
                .setScheduleDelay(Duration.ofSeconds(1)).build());
    }

    /**
     * Starts the span of a request just leased an instance: it began when it asked for one (so its queue wait is in
     * it), and its parent is the request's traceparent when that is valid.
     */
    Span start(RequestHead head, RoutingView.Lease lease, String client) {
        Tracer tracer = tracers.get(lease.route().serviceId());
        if (tracer == null) {
            tracer = tracers.computeIfAbsent(lease.route().serviceId(), id -> tracer(lease.route().serviceName(), id));
        }
        long now = System.nanoTime();
        long queued = Math.max(0, now - lease.startedNanos());
        String target = head.target();
        int q = target.indexOf('?');
        String method = head.method();
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), head, GETTER);
        return tracer.spanBuilder(method).setParent(parent).setSpanKind(SpanKind.SERVER)
                .setStartTimestamp(System.currentTimeMillis() * 1_000_000L - queued, TimeUnit.NANOSECONDS)
                .setAttribute(METHOD, method).setAttribute(PATH, q < 0 ? target : target.substring(0, q))
                .setAttribute(CLIENT, client).setAttribute(INSTANCE, lease.endpoint().instanceId())
                .setAttribute(QUEUE_MS, queued / 1e6).startSpan();
    }

    /** The header lines that carry {@code span}'s context to the instance: W3C's traceparent, and X-Ray's. */
    static String headers(Span span) {
        SpanContext c = span.getSpanContext();
        String trace = c.getTraceId();
        String id = c.getSpanId();
        boolean sampled = c.isSampled();
        return new StringBuilder(160).append("traceparent: 00-").append(trace).append('-').append(id)
                .append(sampled ? "-01\r\n" : "-00\r\n").append("x-amzn-trace-id: Root=1-").append(trace, 0, 8).append('-')
                .append(trace, 8, 32).append(";Parent=").append(id).append(sampled ? ";Sampled=1\r\n" : ";Sampled=0\r\n").toString();
    }

    /** Ends {@code span} with the status answered (0: none, the client or the instance went away first). */
    static void end(Span span, int status, long requestBytes, long responseBytes, long upstreamNanos) {
        if (status > 0) {
            span.setAttribute(STATUS, status);
        }
        if (status == 0 || status >= 500) {
            span.setStatus(StatusCode.ERROR, status == 0 ? "no response was sent" : "");
        }
        span.setAttribute(REQUEST_BYTES, requestBytes);
        span.setAttribute(RESPONSE_BYTES, responseBytes);
        span.setAttribute(UPSTREAM_MS, upstreamNanos / 1e6);
        span.end();
    }

    /** A service's tracer: its provider's resource names it ({@code service.name}, {@code apprunner.service.id}). */
    private Tracer tracer(String serviceName, String serviceId) {
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), serviceName,
                        AttributeKey.stringKey("apprunner.service.id"), serviceId, AttributeKey.stringKey("cloud.platform"),
                        "aws_app_runner")))
                .setIdGenerator(XrayIds.INSTANCE).setSampler(Sampler.parentBased(Sampler.alwaysOn()))
                .addSpanProcessor(new Shared(processor)).build();
        return provider.get("dev.slipway.router");
    }

    /** Exports what is queued (a few seconds at most), then stops. */
    @Override
    public void close() {
        processor.shutdown().join(5, TimeUnit.SECONDS);
    }

    /** Trace ids that begin with the time in seconds (X-Ray's rule for its Root), span ids at random. */
    private enum XrayIds implements IdGenerator {
        INSTANCE;

        @Override
        public String generateSpanId() {
            return IdGenerator.random().generateSpanId();
        }

        private static final char[] HEX = "0123456789abcdef".toCharArray();

        @Override
        public String generateTraceId() {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            char[] id = new char[32];
            hex(System.currentTimeMillis() / 1000, id, 0, 8);
            hex(r.nextInt() & 0xffffffffL, id, 8, 8);
            hex(r.nextLong() | 1, id, 16, 16);
            return new String(id);
        }

        private static void hex(long value, char[] into, int at, int digits) {
            for (int i = at + digits - 1; i >= at; i--) {
                into[i] = HEX[(int) (value & 0xf)];
                value >>>= 4;
            }
        }
    }

    /** The one batch processor, shared by every service's provider (which must not shut it down). */
    private record Shared(SpanProcessor processor) implements SpanProcessor {
        @Override
        public void onStart(Context parent, ReadWriteSpan span) {
            processor.onStart(parent, span);
        }

        @Override
        public boolean isStartRequired() {
            return processor.isStartRequired();
        }

        @Override
        public void onEnd(ReadableSpan span) {
            processor.onEnd(span);
        }

        @Override
        public boolean isEndRequired() {
            return processor.isEndRequired();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    /** Without an endpoint: spans are made (their ids reach the instances) and dropped. */
    private static final class Dropped implements SpanExporter {
        @Override
        public CompletableResultCode export(java.util.Collection<io.opentelemetry.sdk.trace.data.SpanData> spans) {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}
