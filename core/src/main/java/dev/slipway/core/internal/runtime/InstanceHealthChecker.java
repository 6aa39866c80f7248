package dev.slipway.core.internal.runtime;

import dev.slipway.core.model.HealthCheckConfiguration;
import dev.slipway.core.model.HealthCheckProtocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One health check of one instance, as the model's HealthCheckConfiguration describes it: TCP (a connection is
 * accepted, and not closed at once: a port proxy, such as Docker's for a published port, accepts for an app that does
 * not listen yet and then closes) or HTTP (a GET of the path answers 2xx), each within the timeout.
 */
public final class InstanceHealthChecker {
    private InstanceHealthChecker() {
    }

    /** Whether the endpoint passes one check. */
    public static boolean check(String host, int port, HealthCheckConfiguration config) {
        int timeoutMillis = config.timeout() * 1000;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            if (config.protocol() != HealthCheckProtocol.HTTP) {
                return heldOpen(socket, Math.min(timeoutMillis, HELD_MILLIS));
            }
            socket.setSoTimeout(timeoutMillis);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + config.path() + " HTTP/1.1\r\nHost: " + host + ":" + port
                    + "\r\nUser-Agent: slipway-health-check\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = new byte[12];
            int n = 0;
            for (int r; n < head.length && (r = in.read(head, n, head.length - n)) > 0; ) {
                n += r;
            }
            String status = new String(head, 0, n, StandardCharsets.US_ASCII);
            drain(in);
            return status.startsWith("HTTP/1.") && status.length() >= 12 && status.charAt(9) == '2';
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads the rest of the response (up to 1 MiB, within the timeout), so that the app finishes writing it before the
     * connection closes: closing after the status line makes apps log broken pipes on every check.
     */
    private static void drain(InputStream in) {
        byte[] sink = new byte[8192];
        long total = 0;
        try {
            for (int r; total < MAX_DRAINED && (r = in.read(sink)) > 0; ) {
                total += r;
            }
        } catch (IOException e) {
            // the verdict comes from the status line; a slow or endless body ends the check here
        }
    }

    private static final long MAX_DRAINED = 1 << 20;
    /** How long an accepted connection must stay open (or bring data) for a TCP check to pass. */
    static final int HELD_MILLIS = 25;

    /** Whether the peer keeps the connection open for {@code millis} (or says something), rather than closing it. */
    private static boolean heldOpen(Socket socket, int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            return socket.getInputStream().read() >= 0; // a greeting: someone is there
        } catch (java.net.SocketTimeoutException stillOpen) {
            return true;
        }
    }
}
