package dev.slipway.core.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.core.model.HealthCheckConfiguration;
import dev.slipway.core.model.HealthCheckProtocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * HTTP health checks read the whole answer, so the app never sees its connection cut mid-response; a TCP check needs the
 * connection held, so a port proxy with no app behind it does not pass.
 */
class InstanceHealthCheckerTest {
    @Test
    void anHttpCheckReadsTheWholeResponseSoTheAppWritesItWithoutABrokenPipe() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> app = CompletableFuture.supplyAsync(() -> answer(server, "200 OK"));
            HealthCheckConfiguration http = new HealthCheckConfiguration(HealthCheckProtocol.HTTP, "/health", 1, 2, 1, 1);
            assertThat(InstanceHealthChecker.check("127.0.0.1", server.getLocalPort(), http)).isTrue();
            assertThat(app.get(10, TimeUnit.SECONDS)).isEqualTo("wrote the whole body");

            CompletableFuture<String> failing = CompletableFuture.supplyAsync(() -> answer(server, "503 Service Unavailable"));
            assertThat(InstanceHealthChecker.check("127.0.0.1", server.getLocalPort(), http)).isFalse();
            assertThat(failing.get(10, TimeUnit.SECONDS)).isEqualTo("wrote the whole body");
        }
    }

    @Test
    void aTcpCheckPassesWhenTheConnectionIsHeldNotWhenAProxyClosesItAtOnce() throws Exception {
        HealthCheckConfiguration tcp = HealthCheckConfiguration.DEFAULT.withDefaults();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> holds = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().read(); // an app waiting for a request: the checker closes first
                } catch (IOException ignored) {
                    // the checker went away
                }
            });
            assertThat(InstanceHealthChecker.check("127.0.0.1", server.getLocalPort(), tcp)).isTrue();
            holds.get(10, TimeUnit.SECONDS);

            CompletableFuture<Void> closes = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) { // a proxy whose app does not listen yet: accepted, then closed
                } catch (IOException ignored) {
                    // nothing to do
                }
            });
            assertThat(InstanceHealthChecker.check("127.0.0.1", server.getLocalPort(), tcp)).isFalse();
            closes.get(10, TimeUnit.SECONDS);
        }
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = gone.getLocalPort();
            gone.close();
            assertThat(InstanceHealthChecker.check("127.0.0.1", port, tcp)).as("nothing listens").isFalse();
        }
    }

    /** Reads the request head, then writes a 256 KiB body in pieces, as an app does; says whether all of it was written. */
    private static String answer(ServerSocket server, String status) {
        try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            s.setSendBufferSize(4096); // the body cannot all sit in kernel buffers: the checker must read it
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) in.read());
            }
            byte[] chunk = new byte[4096];
            out.write(("HTTP/1.1 " + status + "\r\nContent-Length: " + 64 * chunk.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 64; i++) {
                out.write(chunk);
                out.flush();
            }
            return "wrote the whole body";
        } catch (IOException e) {
            return "broken: " + e.getMessage();
        }
    }
}
