package dev.slipway.router.netty;

import dev.slipway.router.netty.http1.RequestFramer;
import dev.slipway.router.netty.http2.Http2StreamBridge;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameStreamEvent;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The streams of one HTTP/2 connection, behind its {@link Http2FrameCodec}: each stream is one request, carried through
 * the router's HTTP/1.1 exchange ({@link ProxyFrontendHandler}, framed by a {@link RequestFramer}) by an {@link
 * Http2StreamBridge}, so the same admission, timeouts, metrics and framing rules apply as over HTTP/1.1. A stream is an
 * object on the connection's handler, not a channel of its own: no pipeline to build per request. Backpressure: a
 * stream's request body is read on only while its exchange takes more (its flow-control window is given back then),
 * and the instance's response is read only while the stream and the connection can send.
 */
final class Http2Frontend extends ChannelInboundHandlerAdapter {
    private final Http2FrameCodec codec;
    private final Supplier<ProxyFrontendHandler> proxies;
    /** What every stream's framer copies: the client, its protocol, the listener's fixed host. */
    private final RequestFramer framing;
    private final IntObjectMap<Stream> streams = new IntObjectHashMap<>();
    /** The streams that got frames in this read, told when it completes. */
    private final List<Stream> readNow = new ArrayList<>();
    private ChannelHandlerContext ctx;

    Http2Frontend(Http2FrameCodec codec, RequestFramer framing, Supplier<ProxyFrontendHandler> proxies) {
        this.codec = codec;
        this.framing = framing;
        this.proxies = proxies;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Http2StreamFrame frame) || frame.stream() == null) {
            ReferenceCountUtil.release(msg); // the connection's own frames (settings, pings) the codec has handled
            return;
        }
        Stream s = streams.get(frame.stream().id());
        if (s == null) {
            if (!(msg instanceof Http2HeadersFrame)) {
                ReferenceCountUtil.release(msg); // what is left of a stream that ended here (a reset, late data)
                return;
            }
            s = new Stream(frame.stream());
            streams.put(s.stream.id(), s);
            s.proxy.start(s);
        }
        s.read(frame);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        for (int i = 0; i < readNow.size(); i++) {
            readNow.get(i).readComplete();
        }
        readNow.clear();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof Http2FrameStreamEvent event)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        Stream s = streams.get(event.stream().id());
        if (s == null) {
            return;
        }
        if (event.type() == Http2FrameStreamEvent.Type.Writability) {
            s.proxy.writabilityChanged();
        } else if (event.stream().state() == Http2Stream.State.CLOSED) {
            // told as a write ends the stream, inside the exchange's own step: it hears of it after that step
            ctx.executor().execute(s::closed);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        for (Stream s : new ArrayList<>(streams.values())) {
            s.proxy.writabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (Stream s : new ArrayList<>(streams.values())) {
            s.closed();
        }
        ctx.fireChannelInactive();
    }

    /**
     * A stream's error the codec found (a body longer than its content-length, a malformed field): the stream is reset
     * with it, and its exchange ends; any other failure closes the connection.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2FrameStreamException e) {
            Stream s = streams.get(e.stream().id());
            if (s != null) {
                s.reset(e.error());
            }
            return;
        }
        ctx.close();
    }

    /** One stream: its request and response translated by its bridge, its exchange's client side. */
    private final class Stream implements ClientSide {
        final Http2FrameStream stream;
        final ProxyFrontendHandler proxy = proxies.get();
        private final Http2StreamBridge bridge = new Http2StreamBridge();
        private final RequestFramer framer = new RequestFramer(framing);
        private final List<Object> bytes = new ArrayList<>(3);
        private final List<Object> answer = new ArrayList<>(2);
        private final List<Object> parts = new ArrayList<>(4);
        /** Request body bytes read but not given back to the client's flow-control window yet. */
        private int unconsumed;
        private boolean reading = true;
        private boolean inRead;
        /** Ending: a reset waits for the frames written before it. */
        private boolean ending;
        private boolean closed;
        /** The last frame written on the stream (its future). */
        private ChannelFuture lastWritten;

        Stream(Http2FrameStream stream) {
            this.stream = stream;
        }

        void read(Http2StreamFrame frame) {
            if (!inRead) {
                inRead = true;
                readNow.add(this);
            }
            unconsumed += frame instanceof Http2DataFrame data ? data.initialFlowControlledBytes() : 0;
            int framed = 0; // of the bytes, the buffers framed; of the parts they made, the ones the exchange took
            int delivered = 0;
            try {
                boolean carried = bridge.request(ctx.alloc(), frame, bytes, answer);
                while (framed < bytes.size()) {
                    ByteBuf in = (ByteBuf) bytes.get(framed++);
                    try {
                        framer.frame(ctx, in, parts);
                    } finally {
                        in.release(); // what the framer passes on it holds: a head copied, body bytes as slices
                    }
                    while (delivered < parts.size()) {
                        proxy.read(parts.get(delivered++)); // the exchange owns it now
                    }
                    parts.clear();
                    delivered = 0;
                }
                if (!carried) { // a malformed request: its 400 (if the head was), then the stream ends
                    writeFrames(answer, null);
                    close();
                }
            } catch (RuntimeException e) { // as a stream's channel would on a failure: the stream ends, not the connection
                bytes.subList(framed, bytes.size()).forEach(ReferenceCountUtil::release);
                parts.subList(delivered, parts.size()).forEach(ReferenceCountUtil::release);
                close();
            } finally {
                bytes.clear();
                answer.clear();
                parts.clear();
            }
        }

        void readComplete() {
            inRead = false;
            if (!closed) {
                proxy.readComplete();
                giveBack();
            }
        }

        /** The request body read so far goes back to the client's window, if the exchange takes more. */
        private void giveBack() {
            if (reading && unconsumed > 0 && !closed) {
                ctx.write(new DefaultHttp2WindowUpdateFrame(unconsumed).stream(stream));
                unconsumed = 0;
            }
        }

        void closed() {
            if (!closed) {
                closed = true;
                streams.remove(stream.id());
                bridge.release();
                proxy.closed();
            }
        }

        /** Writes the frames, {@code promise} with the last (succeeded at once when there are none). */
        private void writeFrames(List<Object> frames, ChannelPromise promise) {
            for (int i = 0; i < frames.size(); i++) {
                Object f = ((Http2StreamFrame) frames.get(i)).stream(stream);
                lastWritten = i == frames.size() - 1 && promise != null ? ctx.write(f, promise) : ctx.write(f);
            }
            if (frames.isEmpty() && promise != null) {
                promise.trySuccess();
            }
        }

        private List<Object> frames(Object msg) {
            List<Object> frames = new ArrayList<>(2);
            bridge.response(ctx.alloc(), msg, frames);
            return frames;
        }

        @Override
        public ChannelHandlerContext context() {
            return ctx;
        }

        @Override
        public void write(Object bytes) {
            writeFrames(frames(bytes), null);
        }

        @Override
        public void flush() {
            ctx.flush();
        }

        @Override
        public ChannelFuture writeAndFlush(Object bytes) {
            ChannelPromise promise = ctx.newPromise();
            writeFrames(frames(bytes), promise);
            ctx.flush();
            return promise;
        }

        @Override
        public ChannelFuture answer(FullHttpResponse response) {
            return writeAndFlush(response);
        }

        @Override
        public boolean isWritable() {
            Http2Stream s = codec.connection().stream(stream.id());
            return !closed && s != null && ctx.channel().isWritable() && codec.connection().remote().flowController().isWritable(s);
        }

        @Override
        public void reading(boolean on) {
            reading = on;
            if (!inRead && on && unconsumed > 0) { // outside a read (the instance's connection came): sent now
                giveBack();
                ctx.flush();
            }
        }

        @Override
        public boolean allWritten() {
            return true; // handed to the codec, which sends it as the stream's window allows; the exchange may end
        }

        @Override
        public void close() {
            reset(Http2Error.CANCEL);
        }

        /** Ends the stream, with a reset of {@code error} unless it ended already. */
        void reset(Http2Error error) {
            if (closed || ending) {
                return;
            }
            ending = true;
            ChannelFuture queued = lastWritten;
            if (queued != null && !queued.isDone()) { // what was written goes out first (a reset drops queued frames)
                ctx.flush();
                queued.addListener(f -> resetNow(error));
            } else {
                resetNow(error);
            }
        }

        private void resetNow(Http2Error error) {
            if (closed) {
                return;
            }
            if (stream.state() != Http2Stream.State.CLOSED) {
                ctx.write(new DefaultHttp2ResetFrame(error).stream(stream));
            }
            ctx.flush();
            ctx.executor().execute(this::closed); // as a connection's close is heard of: after this step
        }

        @Override
        public IdleDeadlines deadlines() {
            return null; // a stream carries one request, whose head comes whole
        }
    }
}
