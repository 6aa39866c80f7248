package dev.slipway.router.netty;

import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import dev.slipway.core.internal.routing.RoutingTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Optional;

/**
 * An instance made of raw sockets, for tests that need exact bytes: for each request head on a connection (read up to
 * its blank line) it calls a {@link Responder}, which may read a body and writes whatever it likes.
 */
final class ScriptedUpstream implements AutoCloseable {
    /** Answers one request; returns false to close the connection afterwards. */
    interface Responder {
        boolean answer(String head, InputStream in, OutputStream out) throws IOException;
    }

    private final ServerSocket socket;
    private final Responder responder;
    private NettyRouter router;

    ScriptedUpstream(Responder responder) throws IOException {
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.responder = responder;
        daemon(this::accept, "scripted-upstream").start();
    }

    int port() {
        return socket.getLocalPort();
    }

    /** A router (closed with this upstream) whose only route sends {@code host} here, as one instance of MaxConcurrency 100. */
    NettyRouter routedAs(String host) {
        RoutingTable table = new RoutingTable();
        table.put(host, Optional.of(Route.serving("svc-id", "svc", List.of(new Endpoint("one", "127.0.0.1", port())), 100)));
        router = NettyRouter.start(table, "127.0.0.1", 0);
        return router;
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                daemon(() -> serve(s), "scripted-upstream-conn").start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            while (true) {
                StringBuilder head = new StringBuilder();
                for (int c; !head.toString().endsWith("\r\n\r\n"); ) {
                    if ((c = in.read()) < 0) {
                        return;
                    }
                    head.append((char) c);
                }
                boolean keepOpen = responder.answer(head.toString(), in, out);
                out.flush();
                if (!keepOpen) {
                    return;
                }
            }
        } catch (IOException ignored) {
            // the router closed the connection
        }
    }

    private static Thread daemon(Runnable work, String name) {
        Thread t = new Thread(work, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() throws IOException {
        if (router != null) {
            router.close();
        }
        socket.close();
    }
}
