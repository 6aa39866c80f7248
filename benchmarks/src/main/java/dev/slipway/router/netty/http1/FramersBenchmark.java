package dev.slipway.router.netty.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The router's work on the bytes of one request and one response, as `bench/router-vs-nginx.sh` sends them (wrk's
 * request, nginx's answer): the request framed, checked and rewritten for the instance; the response framed and
 * relayed. In an embedded channel (its pipeline's cost is in the figures, as a real channel's is).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FramersBenchmark {
    private static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: bench-abc123.localhost:18604\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Wed, 25 Nov 2026 23:59:59 GMT\r\n"
            + "Content-Type: text/plain\r\nContent-Length: 12\r\nConnection: keep-alive\r\n\r\nhello world\n").getBytes(StandardCharsets.US_ASCII);
    private EmbeddedChannel requests;
    private ResponseFramer responseFramer;
    private EmbeddedChannel responses;
    private EmbeddedChannel bare;

    private ByteBuf request;
    private ByteBuf response;

    @Setup
    public void setUp() {
        requests = new EmbeddedChannel(new RequestFramer("127.0.0.1", null));
        responseFramer = new ResponseFramer();
        responses = new EmbeddedChannel(responseFramer);
        bare = new EmbeddedChannel();

        request = PooledByteBufAllocator.DEFAULT.directBuffer(REQUEST.length).writeBytes(REQUEST);
        response = PooledByteBufAllocator.DEFAULT.directBuffer(RESPONSE.length).writeBytes(RESPONSE);
    }

    @Benchmark
    public Object request() {
        requests.writeInbound(request.retainedDuplicate());
        return drain(requests);
    }

    @Benchmark
    public Object response() {
        responseFramer.expect(false, true, false);
        responses.writeInbound(response.retainedDuplicate());
        return drain(responses);
    }

    /** The embedded channel's own cost: the response's bytes through a pipeline with no handler. */
    @Benchmark
    public Object baseline() {
        bare.writeInbound(response.retainedDuplicate());
        return drain(bare);
    }

    private static Object drain(EmbeddedChannel channel) {
        Object last = null;
        for (Object m; (m = channel.readInbound()) != null; ) {
            last = m;
            ReferenceCountUtil.release(m);
        }
        return last;
    }
}
