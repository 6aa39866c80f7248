package dev.slipway.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.core.SlipwayException;
import dev.slipway.core.Slipway;
import dev.slipway.core.model.Shapes;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The App Runner-compatible control API: AWS JSON 1.0 over HTTP ({@code POST /},
 * {@code X-Amz-Target: AppRunner.<Action>}), every request authenticated with AWS Signature Version 4. Errors carry
 * {@code __type} and {@code Message}: 400 for the caller's faults, 403 for a bad signature or unknown key, 500 for
 * InternalServiceErrorException.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    private static final String TARGET_PREFIX = "AppRunner.";
    /** Slipway's own actions, beyond App Runner's (e.g. completing a connection's handshake). */
    private static final String EXTENSION_PREFIX = "Slipway.";
    private static final String CONTENT_TYPE = "application/x-amz-json-1.0";
    private static final int MAX_BODY = 4 * 1024 * 1024;
    /** The audit trail's file is rotated past this size; this many rotated files are kept. */
    private static final long AUDIT_FILE_BYTES = 10L * 1024 * 1024;
    private static final int AUDIT_FILES_KEPT = 10;

    private final EventLoopGroup group;
    private final Channel channel;
    private final ExecutorService workers;
    private final Optional<ApiPages> pages;

    private ApiServer(EventLoopGroup group, Channel channel, ExecutorService workers, Optional<ApiPages> pages) {
        this.group = group;
        this.channel = channel;
        this.workers = workers;
        this.pages = pages;
    }

    /** Serves {@code slipway}'s actions on {@code host:port} (0 for a free port), accepting {@code credentials}. */
    public static ApiServer start(Slipway slipway, ApiCredentials credentials, String host, int port) {
        return start(slipway, credentials, host, port, ApiThrottle.DEFAULT);
    }

    /** As {@link #start(Slipway, ApiCredentials, String, int)}, each access key's calls limited by {@code throttle}. */
    public static ApiServer start(Slipway slipway, ApiCredentials credentials, String host, int port, ApiThrottle throttle) {
        return start(slipway, credentials, host, port, Clock.systemUTC(), throttle);
    }

    static ApiServer start(Slipway slipway, ApiCredentials credentials, String host, int port, Clock clock) {
        return start(slipway, credentials, host, port, clock, ApiThrottle.DEFAULT);
    }

    private static ApiServer start(Slipway slipway, ApiCredentials credentials, String host, int port, Clock clock,
                                   ApiThrottle throttle) {
        return start(slipway, ApiKeys.administratorOnly(credentials), host, port, clock, throttle);
    }

    /**
     * Serves {@code slipway}'s actions on {@code host:port} to the principals of {@code keys} (the server's key pair as
     * the administrator, and those given), each call allowed only if the caller's policies allow it, and each access
     * key's calls limited by {@code throttle}.
     */
    public static ApiServer start(Slipway slipway, ApiKeys keys, String host, int port, ApiThrottle throttle) {
        return start(slipway, keys, host, port, Clock.systemUTC(), throttle, gate -> null);
    }

    /** As {@link #start(Slipway, ApiKeys, String, int, ApiThrottle)}, serving the {@code pages} made with the API's gate too. */
    public static ApiServer start(Slipway slipway, ApiKeys keys, String host, int port, ApiThrottle throttle,
                                  java.util.function.Function<ApiGate, ApiPages> pages) {
        return start(slipway, keys, host, port, Clock.systemUTC(), throttle, pages);
    }

    private static ApiServer start(Slipway slipway, ApiKeys keys, String host, int port, Clock clock, ApiThrottle throttle) {
        return start(slipway, keys, host, port, clock, throttle, gate -> null);
    }

    private static ApiServer start(Slipway slipway, ApiKeys keys, String host, int port, Clock clock, ApiThrottle throttle,
                                   java.util.function.Function<ApiGate, ApiPages> pagesOf) {
        ApiActions actions = new ApiActions(slipway);
        // GET /metrics needs no signature: the Prometheus text of the per-service meters, when they are kept that way
        Optional<PrometheusMeterRegistry> metrics = slipway.meterRegistry() instanceof PrometheusMeterRegistry p
                ? Optional.of(p) : Optional.empty();
        SigV4Verifier verifier = new SigV4Verifier(keys::secret, clock, slipway.region());
        Map<String, SigV4Verifier> others = Map.of(SecretActions.SECRETS_PREFIX, SigV4Verifier.forService(keys::secret, clock,
                slipway.region(), "secretsmanager"), SecretActions.SSM_PREFIX, SigV4Verifier.forService(keys::secret, clock,
                slipway.region(), "ssm"));
        ApiAuthorization authorization = new ApiAuthorization(slipway);
        ApiAudit audit = new ApiAudit(dev.slipway.core.observe.AuditTrail.open(slipway.stateDir().resolve("audit"),
                AUDIT_FILE_BYTES, AUDIT_FILES_KEPT), slipway.region(), slipway.accountId());
        Optional<ApiPages> pages = Optional.ofNullable(pagesOf.apply(new ApiGate(actions, authorization, audit, keys)));
        ExecutorService workers = Executors.newFixedThreadPool(4, new DefaultThreadFactory("slipway-api", true));
        EventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("slipway-api-io", true));
        try {
            Channel ch = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast("http-codec", new HttpServerCodec());
                            c.pipeline().addLast("aggregator", new HttpObjectAggregator(MAX_BODY) {
                                @Override
                                protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
                                    ctx.writeAndFlush(error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, UUID.randomUUID().toString(),
                                            "SerializationException", "The request body is larger than " + MAX_BODY
                                                    + " bytes, the most this API takes")).addListener(ChannelFutureListener.CLOSE);
                                }
                            });
                            c.pipeline().addLast("api", new ApiHandler(slipway, actions, verifier, audit, workers, metrics, throttle,
                                    keys, authorization, others, pages));
                        }
                    }).bind(host, port).syncUninterruptibly().channel();
            return new ApiServer(group, ch, workers, pages);
        } catch (Exception e) { // bind() rethrows java.net.BindException unchecked
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownNow();
            pages.ifPresent(ApiPages::close);
            throw new IllegalStateException("The API server cannot listen on " + host + ":" + port + " (" + e.getMessage()
                    + "); choose another port with --api-port", e);
        }
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        pages.ifPresent(ApiPages::close);
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownNow();
    }

    /** One request: authenticate, dispatch (a change on a worker thread, a Describe on the event loop), answer. */
    private static final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Slipway slipway;
        private final ApiActions actions;
        private final SigV4Verifier verifier;
        private final ApiAudit audit;
        private final ExecutorService workers;
        private final Optional<PrometheusMeterRegistry> metrics;
        private final ApiThrottle throttle;
        private final ApiKeys keys;
        private final ApiAuthorization authorization;
        /** The verifiers of the other services on this port, by their X-Amz-Target prefix. */
        private final Map<String, SigV4Verifier> others;
        private final SecretActions secrets;
        private final Optional<ApiPages> pages;
        private final WebhookCalls webhooks;

        ApiHandler(Slipway slipway, ApiActions actions, SigV4Verifier verifier, ApiAudit audit, ExecutorService workers,
                   Optional<PrometheusMeterRegistry> metrics, ApiThrottle throttle, ApiKeys keys, ApiAuthorization authorization,
                   Map<String, SigV4Verifier> others, Optional<ApiPages> pages) {
            this.pages = pages;
            this.webhooks = new WebhookCalls(slipway, audit);
            this.others = others;
            this.secrets = new SecretActions(slipway);
            this.throttle = throttle;
            this.keys = keys;
            this.authorization = authorization;
            this.slipway = slipway;
            this.audit = audit;
            this.actions = actions;
            this.verifier = verifier;
            this.workers = workers;
            this.metrics = metrics;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (request.decoderResult().isFailure()) {
                Throwable cause = request.decoderResult().cause();
                boolean tooLarge = cause instanceof TooLongHttpHeaderException || cause instanceof TooLongHttpLineException;
                ctx.writeAndFlush(error(tooLarge ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE : HttpResponseStatus.BAD_REQUEST,
                        UUID.randomUUID().toString(), "SerializationException", tooLarge
                                ? "The request line or headers are larger than this API takes (8 KB)"
                                : "The request is not valid HTTP/1.1: " + cause.getMessage()))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            String method = request.method().name();
            String uri = request.uri();
            if (pages.isPresent() && (uri.equals(pages.get().prefix()) || uri.startsWith(pages.get().prefix() + "/")
                    || uri.startsWith(pages.get().prefix() + "?"))) {
                pages.get().handle(ctx, request, from(ctx));
                return;
            }
            if (method.equals("GET") && uri.equals("/metrics") && metrics.isPresent()) {
                byte[] text = metrics.get().scrape().getBytes(StandardCharsets.UTF_8);
                FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(text));
                r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                HttpUtil.setContentLength(r, text.length);
                ctx.writeAndFlush(r);
                return;
            }
            Map<String, String> headers = SigV4Verifier.headerMap(request.headers());
            byte[] body = ByteBufUtil.getBytes(request.content());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            if (method.equals("GET") && uri.equals(InstanceRoles.PATH)) { // an instance's role credentials, by its token
                FullHttpResponse r;
                try {
                    r = keys.instanceCredentials(headers.get("authorization")).map(json -> json(HttpResponseStatus.OK,
                            UUID.randomUUID().toString(), json.toString().getBytes(StandardCharsets.UTF_8))).orElseGet(() ->
                            error(HttpResponseStatus.NOT_FOUND, UUID.randomUUID().toString(), "UnknownOperationException",
                                    "This server gives no instance role credentials"));
                } catch (ApiException e) {
                    r = error(HttpResponseStatus.valueOf(e.status()), UUID.randomUUID().toString(), e.code(), e.getMessage());
                }
                HttpUtil.setKeepAlive(r, keepAlive);
                ctx.writeAndFlush(r).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
                return;
            }
            if (uri.startsWith(WebhookCalls.PATH)) { // signed by the provider's own scheme, not SigV4
                String from = from(ctx);
                workers.execute(() -> {
                    FullHttpResponse response = webhooks.answer(method, uri, headers, body, from);
                    HttpUtil.setKeepAlive(response, keepAlive);
                    ctx.writeAndFlush(response).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
                });
                return;
            }
            Runnable answer = () -> {
                FullHttpResponse response = handle(method, uri, headers, body, from(ctx));
                HttpUtil.setKeepAlive(response, keepAlive);
                ctx.writeAndFlush(response).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
            };
            if (readsOnly(headers.getOrDefault("x-amz-target", ""))) {
                answer.run(); // a read never waits (it reads what the control plane published), so it needs no worker
            } else {
                workers.execute(answer); // a change waits for its save, which must not hold up this event loop
            }
        }

        /** Describe and Get actions read one resource; lists (which copy and sort) and changes go to a worker. */
        private static boolean readsOnly(String target) {
            return target.startsWith(TARGET_PREFIX + "Describe");
        }

        private static String from(ChannelHandlerContext ctx) {
            return ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress().getHostAddress();
        }

        /** Answers one call, and records it in the audit trail, whatever the answer. */
        private FullHttpResponse handle(String method, String uri, Map<String, String> headers, byte[] body, String from) {
            ApiAudit.Call call = new ApiAudit.Call();
            FullHttpResponse response = answer(method, uri, headers, body, call, from);
            audit.record(call, headers, from);
            return response;
        }

        private FullHttpResponse answer(String method, String uri, Map<String, String> headers, byte[] body, ApiAudit.Call call,
                                        String from) {
            String requestId = call.requestId;
            String action = "?";
            try {
                String target = headers.getOrDefault("x-amz-target", "");
                String other = others.keySet().stream().filter(target::startsWith).findFirst().orElse(null);
                if (target.startsWith(TARGET_PREFIX) || target.startsWith(EXTENSION_PREFIX)) {
                    call.eventName = target.startsWith(EXTENSION_PREFIX) ? target : target.substring(TARGET_PREFIX.length());
                } else if (other != null) {
                    call.eventName = target.substring(other.length());
                    call.eventSource = other.equals(SecretActions.SSM_PREFIX) ? "ssm.amazonaws.com" : "secretsmanager.amazonaws.com";
                }
                if (!method.equals("POST") || !(uri.equals("/") || uri.startsWith("/?"))) {
                    throw new ApiException("UnknownOperationException", 404, "The App Runner API is POST / with an "
                            + "X-Amz-Target header; " + method + " " + uri + " is not part of it");
                }
                String keyId = (other != null ? others.get(other) : verifier).verify(method, uri, headers, body);
                call.principal = keys.principal(keyId, headers).orElseThrow();
                if (!throttle.tryTake(keyId)) {
                    throw new ApiException("ThrottlingException", 400, "Rate exceeded: this access key may make "
                            + throttle.describe() + " (slipway server --api-rate); retry with backoff, as the AWS CLI and SDKs do");
                }
                if (!target.startsWith(TARGET_PREFIX) && !target.startsWith(EXTENSION_PREFIX) && other == null) {
                    throw new ApiException("UnknownOperationException", 400, "X-Amz-Target must be AppRunner.<Action>, not '"
                            + target + "'");
                }
                action = call.eventName;
                JsonNode input;
                try {
                    input = body.length == 0 ? Shapes.mapper().createObjectNode()
                            : Shapes.mapper().reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(body);
                } catch (JsonProcessingException e) {
                    throw new ApiException("SerializationException", 400, "The request body is not valid JSON: " + e.getOriginalMessage());
                }
                if (input == null || !input.isObject()) {
                    throw new ApiException("SerializationException", 400, "The request body must be a JSON object");
                }
                call.request = input;
                if (other != null) { // the secret store's services
                    boolean ssm = other.equals(SecretActions.SSM_PREFIX);
                    authorization.authorize(call.principal, (ssm ? "ssm:" : "secretsmanager:") + action,
                            SecretActions.resource(ssm, input, slipway.region(), slipway.accountId()), from);
                    JsonNode answer = secrets.invoke(ssm, action, input);
                    call.response = answer;
                    FullHttpResponse r = json(HttpResponseStatus.OK, requestId, answer.toString().getBytes(StandardCharsets.UTF_8));
                    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-amz-json-1.1");
                    return r;
                }
                authorization.authorize(call.principal, action, input, from);
                Object output = actions.invoke(action, input);
                LOG.debug("{} {} 200", requestId, action);
                byte[] bytes = Shapes.mapper().writeValueAsBytes(output);
                call.response = Shapes.mapper().readTree(bytes);
                return json(HttpResponseStatus.OK, requestId, bytes);
            } catch (ApiException e) {
                LOG.debug("{} {} {} {}", requestId, action, e.status(), e.code());
                failed(call, e.code(), e.getMessage());
                return error(HttpResponseStatus.valueOf(e.status()), requestId, e.code(), e.getMessage());
            } catch (SlipwayException e) {
                LOG.debug("{} {} {}", requestId, action, e.errorCode());
                failed(call, e.errorCode(), e.getMessage());
                return error(e.isClientError() ? HttpResponseStatus.BAD_REQUEST : HttpResponseStatus.INTERNAL_SERVER_ERROR,
                        requestId, e.errorCode(), e.getMessage());
            } catch (Exception e) {
                LOG.error("{} {} failed", requestId, action, e);
                String message = "An unexpected error occurred in Slipway (request " + requestId + "); the server log has the details";
                failed(call, "InternalServiceErrorException", message);
                return error(HttpResponseStatus.INTERNAL_SERVER_ERROR, requestId, "InternalServiceErrorException", message);
            }
        }

        private static void failed(ApiAudit.Call call, String code, String message) {
            call.errorCode = code;
            call.errorMessage = message;
        }
    }

    /** An AWS JSON 1.0 error: {@code __type} and {@code Message}, and the x-amzn-ErrorType header. */
    private static FullHttpResponse error(HttpResponseStatus status, String requestId, String code, String message) {
        ObjectNode body = Shapes.mapper().createObjectNode().put("__type", code).put("Message", message);
        FullHttpResponse r = json(status, requestId, body.toString().getBytes(StandardCharsets.UTF_8));
        r.headers().set("x-amzn-ErrorType", code);
        return r;
    }

    private static FullHttpResponse json(HttpResponseStatus status, String requestId, byte[] bytes) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE);
        r.headers().set("x-amzn-RequestId", requestId);
        HttpUtil.setContentLength(r, bytes.length);
        return r;
    }
}
