package dev.slipway.server.api;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;

/** Pages the API port serves beside the API, under a path of their own (the web console), given the gate to its actions. */
public interface ApiPages extends AutoCloseable {
    /** The path they are under, e.g. {@code /console}. */
    String prefix();

    /** Answers {@code request} (from {@code from}, the client's address) on {@code ctx}; it must not block the event loop. */
    void handle(ChannelHandlerContext ctx, FullHttpRequest request, String from);

    @Override
    default void close() {
    }
}
