package dev.slipway.router.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.core.testing.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An instance that closes a kept-alive connection just as the router sends the next request on it (as servers do
 * with connections they kept idle long enough): the router's pooled connections are reused, so this happens.
 */
class UpstreamReuseTest {
    private static final String HOST = "svc-abc123.localhost";
    /** Requests served on the current upstream connection (each has a thread of its own in ScriptedUpstream). */
    private static final ThreadLocal<int[]> SERVED = ThreadLocal.withInitial(() -> new int[1]);
    private static NettyRouter router;
    private static ScriptedUpstream upstream;

    @BeforeAll
    static void start() throws IOException {
        upstream = new ScriptedUpstream(UpstreamReuseTest::answer);
        router = upstream.routedAs(HOST);
    }

    @AfterAll
    static void stop() throws IOException {
        upstream.close();
    }

    @Test
    void anIdempotentRequestOnAConnectionTheInstanceClosesIsSentAgainOnANewOne() throws IOException {
        String reply = RawHttp.exchange(router.port(), "GET /first HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n"
                + "GET /second HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n", 10_000);
        assertThat(reply).startsWith("HTTP/1.1 200 OK").contains("answered /first").endsWith("answered /second")
                .doesNotContain("502");
    }

    @Test
    void aRequestThatIsNotIdempotentIsNotSentTwice() throws IOException {
        String reply = RawHttp.exchange(router.port(), "GET /first HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n"
                + "POST /order HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi", 10_000);
        assertThat(reply).startsWith("HTTP/1.1 200 OK").contains("answered /first", "HTTP/1.1 502 ").doesNotContain("answered /order");
    }

    /** Answers the first request of each connection; on the second, closes the connection without a word. */
    private static boolean answer(String head, InputStream in, OutputStream out) throws IOException {
        if (SERVED.get()[0]++ > 0) {
            SERVED.remove();
            return false;
        }
        String body = "answered " + head.split(" ", 3)[1];
        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1));
        return true;
    }
}
