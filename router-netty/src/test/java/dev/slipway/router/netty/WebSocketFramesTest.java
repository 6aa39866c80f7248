package dev.slipway.router.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The router finds where an instance's WebSocket frames end, however its bytes are cut: frames of every length form
 * (7-bit, 16-bit, 64-bit), masked or not, empty ones included, split at arbitrary points; and bytes that are no valid
 * stream never make it throw.
 */
class WebSocketFramesTest {
    /** One frame: its opcode, payload length, and whether it is masked (an instance's are not, but a stream may be odd). */
    record Frame(int opcode, int length, boolean masked) {
        byte[] bytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(0x80 | opcode);
            int mask = masked ? 0x80 : 0;
            if (length < 126) {
                out.write(mask | length);
            } else if (length < 65536) {
                out.write(mask | 126);
                out.write(length >> 8);
                out.write(length);
            } else {
                out.write(mask | 127);
                for (int s = 56; s >= 0; s -= 8) {
                    out.write((int) ((long) length >> s));
                }
            }
            if (masked) {
                out.writeBytes(new byte[] {1, 2, 3, 4});
            }
            out.writeBytes(new byte[length]);
            return out.toByteArray();
        }
    }

    @Provide
    Arbitrary<List<Frame>> frames() {
        Arbitrary<Integer> lengths = Arbitraries.oneOf(Arbitraries.integers().between(0, 125), Arbitraries.integers().between(126, 70_000),
                Arbitraries.of(0, 125, 126, 65535, 65536));
        return Combinators.combine(Arbitraries.of(0, 1, 2, 8, 9, 10), lengths, Arbitraries.of(true, false)).as(Frame::new)
                .list().ofMinSize(1).ofMaxSize(8);
    }

    @Property(tries = 300)
    void theBoundaryAfterEachFrameIsFoundWhereverTheBytesAreCut(@ForAll("frames") List<Frame> frames,
                                                                @ForAll("cuts") List<Integer> cuts) {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        List<Integer> ends = new ArrayList<>();
        for (Frame f : frames) {
            stream.writeBytes(f.bytes());
            ends.add(stream.size());
        }
        byte[] all = stream.toByteArray();
        WebSocketFrames tracker = new WebSocketFrames();
        List<Integer> found = new ArrayList<>();
        int at = 0;
        int cut = 0;
        while (at < all.length) {
            int size = Math.min(all.length - at, 1 + Math.floorMod(cuts.get(cut++ % cuts.size()), 9000));
            ByteBuf chunk = Unpooled.wrappedBuffer(all, at, size);
            int offset = 0;
            while (offset < size) { // each boundary in the chunk, as the router looks for one
                ByteBuf rest = chunk.slice(offset, size - offset);
                int n = tracker.boundaryWithin(rest);
                if (n < 0) {
                    break;
                }
                if (n == 0) { // at a boundary already: the next frame starts here; follow one byte of it
                    tracker.feed(rest.slice(0, 1));
                    offset += 1;
                    if (tracker.atBoundary()) {
                        found.add(at + offset);
                    }
                    continue;
                }
                offset += n;
                found.add(at + offset);
            }
            at += size;
        }
        assertThat(tracker.atBoundary()).isTrue();
        assertThat(found).isEqualTo(ends);
    }

    @Provide
    Arbitrary<List<Integer>> cuts() {
        return Arbitraries.integers().between(0, 100_000).list().ofMinSize(1).ofMaxSize(20);
    }

    @Property(tries = 200)
    void anyBytesAreFollowedWithoutAnError(@ForAll byte[] bytes) {
        WebSocketFrames tracker = new WebSocketFrames();
        tracker.feed(Unpooled.wrappedBuffer(bytes));
        assertThat(tracker.boundaryWithin(Unpooled.wrappedBuffer(bytes))).isGreaterThanOrEqualTo(-1);
    }
}
