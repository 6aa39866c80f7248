package dev.slipway.router.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.spi.RouterLimits;
import dev.slipway.core.spi.RouterTimeouts;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** No client takes every connection: caps in all and per client address, answered 503 and closed when passed. */
class RouterConnectionLimitsTest {
    private NettyRouter router;
    private final List<Socket> open = new ArrayList<>();

    @BeforeEach
    void start() {
        router = NettyRouter.start(new RoutingTable(), "127.0.0.1", 0, RouterTimeouts.DEFAULT, new RouterLimits(4, 2));
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : open) {
            s.close();
        }
        router.close();
    }

    @Test
    void connectionsPastTheCapOfOneAddressOrOfAllAreAnswered503AndClosed() throws Exception {
        held("127.0.0.1");
        held("127.0.0.1");
        assertThat(refusal("127.0.0.1")).as("a third from the same address").startsWith("HTTP/1.1 503 ")
                .contains("Retry-After: 1", "Your address has as many connections");
        held("127.0.0.2");
        held("127.0.0.3");
        assertThat(refusal("127.0.0.4")).as("a fifth in all").startsWith("HTTP/1.1 503 ").contains("The router has as many connections");

        open.remove(0).close(); // one of 127.0.0.1's closes: that address may connect again
        await().atMost(Duration.ofSeconds(10)).until(() -> router.openConnections() == 3);
        held("127.0.0.1");
    }

    /** A connection from {@code address} that the router keeps open (it serves a request on it). */
    private void held(String address) throws IOException {
        Socket s = connect(address);
        open.add(s);
        s.getOutputStream().write("GET / HTTP/1.1\r\nHost: nobody.localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] head = new byte[12];
        assertThat(s.getInputStream().readNBytes(head, 0, 12)).isEqualTo(12);
        assertThat(new String(head, StandardCharsets.US_ASCII)).as("served, not refused").isEqualTo("HTTP/1.1 404");
    }

    /** What the router says to a connection from {@code address}, read until it closes it. */
    private String refusal(String address) throws IOException {
        try (Socket s = connect(address)) {
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private Socket connect(String address) throws IOException {
        Socket s = new Socket();
        s.setSoTimeout(10_000);
        s.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
        s.connect(new InetSocketAddress("127.0.0.1", router.port()));
        return s;
    }
}
