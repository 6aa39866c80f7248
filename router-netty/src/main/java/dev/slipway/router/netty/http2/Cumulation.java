package dev.slipway.router.netty.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.ArrayList;
import java.util.List;

/**
 * Bytes written to a bridge, kept until an HTTP/1.1 decoder can turn them into objects: what both bridges do with the
 * bytes the proxy writes (a request's towards an HTTP/2 instance, a response's towards an HTTP/2 client).
 */
final class Cumulation {
    /** Netty's decoding of one message kind, called with what is cumulated. */
    interface Decoder {
        void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception;
    }

    /** A decoder that needs no handler context. */
    interface BytesDecoder<E extends Exception> {
        void decode(ByteBuf in, List<Object> out) throws E;
    }

    private ByteBuf bytes;

    /** Adds {@code more} (taken over) and returns the objects the bytes so far decode to, keeping the rest. */
    List<Object> decode(ChannelHandlerContext ctx, ByteBuf more, Decoder decoder) throws Exception {
        return decode(ctx.alloc(), more, (in, out) -> decoder.decode(ctx, in, out));
    }

    /** What {@link #decode(ChannelHandlerContext, ByteBuf, Decoder)} does, with a decoder of bytes alone. */
    <E extends Exception> List<Object> decode(ByteBufAllocator alloc, ByteBuf more, BytesDecoder<E> decoder) throws E {
        bytes = bytes == null ? more : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(alloc, bytes, more);
        List<Object> out = new ArrayList<>(4);
        int readable;
        int produced;
        do {
            readable = bytes.readableBytes();
            produced = out.size();
            decoder.decode(bytes, out);
        } while (bytes.isReadable() && (bytes.readableBytes() != readable || out.size() != produced));
        if (!bytes.isReadable()) {
            bytes.release();
            bytes = null;
        } else if (bytes.refCnt() == 1) { // not under slices still held (a body's data): they would move
            bytes.discardSomeReadBytes();
        }
        return out;
    }

    /**
     * Writes {@code objects}, {@code promise} with the last; with none, the promise succeeds (once what came before is
     * flushed, when {@code flushFirst}).
     */
    static void write(ChannelHandlerContext ctx, List<Object> objects, ChannelPromise promise, boolean flushFirst) {
        if (objects.isEmpty()) {
            if (!promise.isVoid()) {
                if (flushFirst) {
                    ctx.flush();
                }
                promise.trySuccess();
            }
            return;
        }
        for (int i = 0; i < objects.size(); i++) {
            ctx.write(objects.get(i), i == objects.size() - 1 ? promise : ctx.voidPromise());
        }
    }

    void release() {
        if (bytes != null) {
            bytes.release();
            bytes = null;
        }
    }
}
