package dev.slipway.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.core.Slipway;
import dev.slipway.core.api.DescribeServiceRequest;
import dev.slipway.core.api.ListOperationsRequest;
import dev.slipway.core.model.Shapes;
import dev.slipway.server.api.ApiGate;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The console's live pages, as server-sent events: the service list's rows every 2 s, and on a service's page its
 * status and operations (every 2 s), its log lines as they are written (events, the latest deployment's log, its
 * instances' output) and each new metrics sample. Each update is sent only while its caller may still make the call
 * it stands for (ListServices, DescribeService).
 */
final class LiveUpdates implements AutoCloseable {
    private static final int FIRST_LINES = 200;

    private final Slipway slipway;
    private final ApiGate gate;
    private final MetricsHistory metrics;
    private final ServicePages pages;
    private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "slipway-console-live");
        t.setDaemon(true);
        return t;
    });

    LiveUpdates(Slipway slipway, ApiGate gate, MetricsHistory metrics, ServicePages pages) {
        this.slipway = slipway;
        this.gate = gate;
        this.metrics = metrics;
        this.pages = pages;
        slipway.addLogListener((service, stream, line) -> {
            for (Stream s : streams) {
                if (service.equals(s.service) && s.permitted) {
                    s.send("log", Shapes.mapper().createObjectNode().put("stream", stream).put("line", line));
                }
            }
        });
        timer.scheduleWithFixedDelay(this::tick, 2, 2, TimeUnit.SECONDS);
    }

    /** One page's event stream: the list's ({@code service} null) or a service's. */
    private final class Stream {
        final Channel channel;
        final Console.Caller caller;
        final String service;
        final String arn;
        long lastSample;
        /** Whether the caller may still describe the service, as of the last update (log lines go out meanwhile). */
        volatile boolean permitted = true;

        Stream(Channel channel, Console.Caller caller, String service, String arn) {
            this.channel = channel;
            this.caller = caller;
            this.service = service;
            this.arn = arn;
        }

        boolean allowed() {
            return service == null ? true : gate.allows(caller.principal(), "DescribeService", Console.input("ServiceArn", arn), caller.from());
        }

        void send(String event, JsonNode data) {
            if (channel.isActive()) {
                channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("event: " + event + "\ndata: " + data + "\n\n",
                        StandardCharsets.UTF_8)));
            }
        }
    }

    void services(ChannelHandlerContext ctx, FullHttpRequest request, Console.Caller caller) {
        Stream s = open(ctx, caller, null, null);
        update(s);
    }

    void service(ChannelHandlerContext ctx, FullHttpRequest request, Console.Caller caller, String name) {
        String arn = pages.arnOf(name).orElse(null);
        if (arn == null || !gate.allows(caller.principal(), "DescribeService", Console.input("ServiceArn", arn), caller.from())) {
            Console.send(ctx, request, Console.text(HttpResponseStatus.FORBIDDEN, "You may not describe service " + name));
            return;
        }
        Stream s = open(ctx, caller, name, arn);
        List<String> logs = slipway.logStreams(name);
        backlog(s, "events", FIRST_LINES);
        logs.stream().filter(l -> l.startsWith("deployment/")).reduce((a, b) -> b).ifPresent(d -> backlog(s, d, 10 * FIRST_LINES));
        logs.stream().filter(l -> l.startsWith("instance/")).forEach(i -> backlog(s, i, FIRST_LINES / 2));
        update(s);
    }

    private void backlog(Stream s, String stream, int last) {
        List<String> lines = slipway.logLines(s.service, stream);
        for (String line : lines.subList(Math.max(0, lines.size() - last), lines.size())) {
            s.send("log", Shapes.mapper().createObjectNode().put("stream", stream).put("line", line));
        }
    }

    private Stream open(ChannelHandlerContext ctx, Console.Caller caller, String service, String arn) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        Console.security(r.headers());
        HttpUtil.setTransferEncodingChunked(r, true);
        ctx.writeAndFlush(r);
        Stream s = new Stream(ctx.channel(), caller, service, arn);
        streams.add(s);
        ctx.channel().closeFuture().addListener(f -> streams.remove(s));
        return s;
    }

    private void tick() {
        for (Stream s : streams) {
            try {
                update(s);
            } catch (RuntimeException e) { // a service deleted meanwhile: its page says so
                s.send("gone", Shapes.mapper().createObjectNode().put("message", String.valueOf(e.getMessage())));
            }
        }
    }

    private void update(Stream s) {
        if (s.service == null) {
            StringBuilder rows = new StringBuilder();
            pages.rows(s.caller, false).ifPresent(list -> list.forEach(r -> rows.append(ConsolePages.row(r))));
            s.send("rows", Shapes.mapper().createObjectNode().put("html", rows.toString()));
            return;
        }
        s.permitted = s.allowed();
        if (!s.permitted) {
            s.channel.close();
            return;
        }
        JsonNode service = Shapes.mapper().valueToTree(slipway.describeService(new DescribeServiceRequest(s.arn))).path("Service");
        StringBuilder ops = new StringBuilder();
        if (gate.allows(s.caller.principal(), "ListOperations", Console.input("ServiceArn", s.arn), s.caller.from())) {
            JsonNode list = Shapes.mapper().valueToTree(slipway.listOperations(new ListOperationsRequest(s.arn, 20, null)));
            list.path("OperationSummaryList").forEach(op -> ops.append(ConsolePages.operation(op)));
        }
        List<MetricsHistory.Sample> h = metrics.of(s.service);
        ObjectNode status = Shapes.mapper().createObjectNode().put("status", service.path("Status").asText())
                .put("operations", ops.toString());
        if (!h.isEmpty() && !Double.isNaN(h.get(h.size() - 1).instances())) {
            status.put("instances", Math.round(h.get(h.size() - 1).instances()));
        }
        s.send("status", status);
        ArrayNode fresh = Shapes.mapper().createArrayNode();
        for (MetricsHistory.Sample sample : h) {
            if (sample.time() > s.lastSample) {
                fresh.add(sample.json());
                s.lastSample = sample.time();
            }
        }
        if (!fresh.isEmpty()) {
            s.send("metrics", fresh);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        streams.forEach(s -> s.channel.close());
    }
}
