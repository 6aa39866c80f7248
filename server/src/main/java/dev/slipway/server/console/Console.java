package dev.slipway.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.core.Slipway;
import dev.slipway.core.iam.Principal;
import dev.slipway.core.model.Shapes;
import dev.slipway.server.api.ApiGate;
import dev.slipway.server.api.ApiPages;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The web console, at {@code /console} on the API port: server-rendered pages and a small script that follows them live
 * (server-sent events). A principal signs in with an access key; the session is a cookie (HttpOnly, SameSite=Strict,
 * Secure behind TLS, an hour idle at most) and every form carries the session's CSRF token and must come from the
 * console's own origin. Every page and button is authorized exactly as the API call it makes ({@link ApiGate}), which
 * is recorded in the audit trail as that call.
 */
public final class Console implements ApiPages {
    public static final String PREFIX = "/console";
    static final String COOKIE = "slipway-console";
    static final String USER_AGENT = "slipway-console";
    /** Nothing but the console's own files; no inline script or style, no frame, no form to elsewhere. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private final Slipway slipway;
    private final ApiGate gate;
    private final Sessions sessions;
    private final MetricsHistory metrics;
    private final LiveUpdates live;
    private final ServicePages services;
    private final ExecutorService workers = Executors.newFixedThreadPool(4, new DefaultThreadFactory("slipway-console", true));

    public Console(Slipway slipway, ApiGate gate) {
        this(slipway, gate, Clock.systemUTC());
    }

    Console(Slipway slipway, ApiGate gate, Clock clock) {
        this.slipway = slipway;
        this.gate = gate;
        this.sessions = new Sessions(clock);
        this.metrics = new MetricsHistory(slipway.meterRegistry());
        this.services = new ServicePages(slipway, gate, metrics);
        this.live = new LiveUpdates(slipway, gate, metrics, services);
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    /** A signed-in request: who, with which key, from where, and its session. */
    record Caller(Principal principal, String accessKeyId, String from, Sessions.Session session) {
        String csrf() {
            return session.csrf();
        }
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, String from) {
        request.retain();
        workers.execute(() -> {
            try {
                route(ctx, request, from);
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(Console.class).error("console request {} failed", request.uri(), e);
                send(ctx, request, html(HttpResponseStatus.INTERNAL_SERVER_ERROR, Html.page("Something went wrong", null, null, null,
                        "<p>The server log has the details.</p>")));
            } finally {
                request.release();
            }
        });
    }

    private void route(ChannelHandlerContext ctx, FullHttpRequest request, String from) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        String method = request.method().name();
        if (path.startsWith(PREFIX + "/static/") && method.equals("GET")) {
            send(ctx, request, asset(path.substring((PREFIX + "/static/").length())));
            return;
        }
        boolean post = method.equals("POST");
        if (!post && !method.equals("GET")) {
            send(ctx, request, text(HttpResponseStatus.METHOD_NOT_ALLOWED, "The console answers GET and POST only"));
            return;
        }
        if (post && !sameOrigin(request)) {
            send(ctx, request, refused("This form was posted from another site (Origin " + request.headers().get("origin")
                    + "); the console takes forms from its own pages only."));
            return;
        }
        Map<String, String> form = post ? form(request) : Map.of();
        if (path.equals(PREFIX + "/sign-in")) {
            send(ctx, request, post ? signIn(request, form) : html(HttpResponseStatus.OK, ConsolePages.signIn(null)));
            return;
        }
        Optional<Sessions.Session> session = sessions.get(cookie(request));
        Optional<Principal> principal = session.flatMap(s -> gate.principal(s.accessKeyId()));
        if (principal.isEmpty()) {
            send(ctx, request, post ? refused("You are not signed in (or your session ended); sign in again.")
                    : redirect(PREFIX + "/sign-in", null));
            return;
        }
        Caller caller = new Caller(principal.get(), session.get().accessKeyId(), from, session.get());
        if (post && !MessageDigest.isEqual(caller.csrf().getBytes(StandardCharsets.UTF_8),
                form.getOrDefault("csrf", "").getBytes(StandardCharsets.UTF_8))) {
            send(ctx, request, refused("This form does not carry this session's CSRF token; reload the page and try again."));
            return;
        }
        List<String> parts = List.of(path.substring(Math.min(path.length(), PREFIX.length())).replaceAll("^/+|/+$", "").split("/"));
        String first = parts.get(0);
        if (post && first.equals("sign-out")) {
            sessions.end(caller.session().id());
            send(ctx, request, redirect(PREFIX + "/sign-in", expiredCookie(request)));
        } else if (!post && (first.isEmpty() || first.equals("services") && parts.size() == 1)) {
            send(ctx, request, first.isEmpty() ? redirect(PREFIX + "/services", null) : services.list(caller, flash(caller)));
        } else if (!post && first.equals("live") && parts.size() == 2 && parts.get(1).equals("services")) {
            live.services(ctx, request, caller); // not under services/: a service may be named "live"
        } else if (first.equals("services") && parts.size() >= 2) {
            service(ctx, request, caller, post, parts, form);
        } else if (first.equals("create")) {
            send(ctx, request, post ? services.create(caller, form, sessions) : html(HttpResponseStatus.OK,
                    ConsolePages.create(Map.of(), Map.of(), null, caller.principal().name(), caller.csrf())));
        } else if (!post && first.equals("auto-scaling")) {
            send(ctx, request, services.autoScaling(caller));
        } else {
            send(ctx, request, html(HttpResponseStatus.NOT_FOUND, Html.page("Not found", caller.principal().name(), caller.csrf(), null,
                    "<p>No such page. <a href=\"/console/services\">Services</a></p>")));
        }
    }

    private void service(ChannelHandlerContext ctx, FullHttpRequest request, Caller caller, boolean post, List<String> parts,
                         Map<String, String> form) {
        String name = parts.get(1);
        if (!post && parts.size() == 2) {
            send(ctx, request, services.page(caller, name, flash(caller)));
        } else if (!post && parts.size() == 3 && parts.get(2).equals("live")) {
            live.service(ctx, request, caller, name);
        } else if (post && parts.size() == 3) {
            String message = services.act(caller, name, parts.get(2), form);
            sessions.flash(caller.session().id(), message);
            boolean gone = parts.get(2).equals("delete") && message.startsWith("Deleting");
            send(ctx, request, redirect(gone ? PREFIX + "/services" : PREFIX + "/services/" + name, null));
        } else {
            send(ctx, request, text(HttpResponseStatus.NOT_FOUND, "No such page"));
        }
    }

    private String flash(Caller caller) {
        return caller.session().flash();
    }

    private FullHttpResponse signIn(FullHttpRequest request, Map<String, String> form) {
        String keyId = form.getOrDefault("accessKeyId", "").trim();
        Optional<Principal> who = gate.signIn(keyId, form.getOrDefault("secretAccessKey", ""));
        if (who.isEmpty()) {
            org.slf4j.LoggerFactory.getLogger(Console.class).info("console sign-in refused for access key {}", keyId);
            return html(HttpResponseStatus.UNAUTHORIZED, ConsolePages.signIn("That access key and secret do not match a principal "
                    + "of this server."));
        }
        Sessions.Session s = sessions.start(keyId);
        DefaultCookie cookie = new DefaultCookie(COOKIE, s.id());
        cookie.setPath(PREFIX);
        cookie.setHttpOnly(true);
        cookie.setSecure(overTls(request));
        cookie.setSameSite(CookieHeaderNames.SameSite.Strict);
        cookie.setMaxAge(Sessions.IDLE.toSeconds() * 12);
        return redirect(PREFIX + "/services", ServerCookieEncoder.STRICT.encode(cookie));
    }

    private static String expiredCookie(FullHttpRequest request) {
        DefaultCookie cookie = new DefaultCookie(COOKIE, "");
        cookie.setPath(PREFIX);
        cookie.setHttpOnly(true);
        cookie.setSecure(overTls(request));
        cookie.setSameSite(CookieHeaderNames.SameSite.Strict);
        cookie.setMaxAge(0);
        return ServerCookieEncoder.STRICT.encode(cookie);
    }

    /** Served over TLS: by a proxy in front that says so (the API port itself speaks plain HTTP). */
    private static boolean overTls(FullHttpRequest request) {
        return "https".equalsIgnoreCase(request.headers().get("x-forwarded-proto", ""));
    }

    /**
     * A form must come from the console's own origin: the Origin a browser sends with every POST (or, without one, the
     * Referer) names this host and port.
     */
    private static boolean sameOrigin(FullHttpRequest request) {
        String host = request.headers().get(HttpHeaderNames.HOST);
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin == null) {
            String referer = request.headers().get(HttpHeaderNames.REFERER);
            if (referer == null) {
                return false;
            }
            origin = referer;
        }
        try {
            URI u = URI.create(origin);
            return host != null && u.getRawAuthority() != null && u.getRawAuthority().equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String cookie(FullHttpRequest request) {
        String header = request.headers().get(HttpHeaderNames.COOKIE);
        if (header == null) {
            return null;
        }
        for (Cookie c : ServerCookieDecoder.STRICT.decode(header)) {
            if (c.name().equals(COOKIE)) {
                return c.value();
            }
        }
        return null;
    }

    private static Map<String, String> form(FullHttpRequest request) {
        Map<String, String> out = new LinkedHashMap<>();
        new QueryStringDecoder(request.content().toString(StandardCharsets.UTF_8), StandardCharsets.UTF_8, false)
                .parameters().forEach((k, v) -> out.put(k, v.isEmpty() ? "" : v.get(0)));
        return out;
    }

    // ---------------------------------------------------------------- responses

    static FullHttpResponse html(HttpResponseStatus status, String page) {
        FullHttpResponse r = response(status, page.getBytes(StandardCharsets.UTF_8), "text/html; charset=utf-8");
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return r;
    }

    static FullHttpResponse text(HttpResponseStatus status, String text) {
        return response(status, text.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
    }

    /** A refused form: 403, the page says why. */
    static FullHttpResponse refused(String why) {
        return html(HttpResponseStatus.FORBIDDEN, Html.page("Refused", null, null, null, "<p class=\"error\" role=\"alert\" id=\"refused\">"
                + Html.esc(why) + "</p><p><a href=\"/console/services\">Back to the console</a></p>"));
    }

    static FullHttpResponse redirect(String location, String setCookie) {
        FullHttpResponse r = response(HttpResponseStatus.SEE_OTHER, new byte[0], "text/plain");
        r.headers().set(HttpHeaderNames.LOCATION, location);
        if (setCookie != null) {
            r.headers().set(HttpHeaderNames.SET_COOKIE, setCookie);
        }
        return r;
    }

    private static FullHttpResponse response(HttpResponseStatus status, byte[] body, String type) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        security(r.headers());
        HttpUtil.setContentLength(r, body.length);
        return r;
    }

    static void security(io.netty.handler.codec.http.HttpHeaders h) {
        h.set("Content-Security-Policy", CSP);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "same-origin");
        h.set("X-Frame-Options", "DENY");
    }

    private static final Map<String, String> ASSETS = Map.of("console.css", "text/css; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8");

    private static FullHttpResponse asset(String name) {
        String type = ASSETS.get(name);
        if (type == null) {
            return text(HttpResponseStatus.NOT_FOUND, "No such file");
        }
        try (InputStream in = Console.class.getResourceAsStream(name)) {
            FullHttpResponse r = response(HttpResponseStatus.OK, in.readAllBytes(), type);
            r.headers().set(HttpHeaderNames.CACHE_CONTROL, "max-age=300");
            return r;
        } catch (IOException | NullPointerException e) {
            return text(HttpResponseStatus.NOT_FOUND, "No such file");
        }
    }

    static void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        ctx.writeAndFlush(response).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
    }

    /** An API call's input from members given as name, value pairs. */
    static ObjectNode input(Object... members) {
        ObjectNode o = Shapes.mapper().createObjectNode();
        for (int i = 0; i < members.length; i += 2) {
            o.set((String) members[i], Shapes.mapper().valueToTree(members[i + 1]));
        }
        return o;
    }

    static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    @Override
    public void close() {
        live.close();
        metrics.close();
        workers.shutdownNow();
    }
}
