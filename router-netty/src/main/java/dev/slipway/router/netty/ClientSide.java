package dev.slipway.router.netty;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpResponse;

/**
 * Where an exchange's client is, as the proxy sees it: an HTTP/1.1 connection ({@link ConnectionClient}), or one
 * stream of an HTTP/2 connection ({@link Http2Frontend}). The proxy writes the instance's response as HTTP/1.1 bytes
 * (as the {@code ResponseFramer} relays them) and its own answers as objects; each side carries them its way.
 */
interface ClientSide {
    /** The client connection's context (for a stream, its connection's handler). */
    ChannelHandlerContext context();

    /** The event loop of the client's connection, where the exchange runs. */
    default EventLoop eventLoop() {
        return context().channel().eventLoop();
    }

    default ByteBufAllocator alloc() {
        return context().alloc();
    }

    /** Writes response bytes, without a flush. */
    void write(Object bytes);

    void flush();

    /** Writes and flushes response bytes; the future completes once they were written. */
    ChannelFuture writeAndFlush(Object bytes);

    /** Writes and flushes the router's own answer (or a 100 Continue); the future completes once it was written. */
    ChannelFuture answer(FullHttpResponse response);

    /** Whether the client takes more response bytes now. */
    boolean isWritable();

    /** Whether more of the request is read from the client now (backpressure, request side). */
    void reading(boolean on);

    /** Whether everything written so far has left (nothing waits for the client to read). */
    boolean allWritten();

    /** Ends the client's side: its connection, or its stream (reset unless it ended). */
    void close();

    /** The connection's deadlines between requests, or null (a stream carries one request). */
    IdleDeadlines deadlines();
}
