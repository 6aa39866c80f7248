package dev.slipway.router.netty.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * The head of an instance's response as the client gets it ({@link #content()}), and what it means for both
 * connections: {@link ResponseFramer}'s output at the start of each response.
 */
public final class ResponseHead extends DefaultByteBufHolder {
    public final int status;
    public final boolean upstreamReusable;
    public final boolean closesClient;
    /** No body follows (or a small one is in these bytes). */
    public final boolean complete;

    ResponseHead(int status, ByteBuf bytes, boolean upstreamReusable, boolean closesClient, boolean complete) {
        super(bytes);
        this.status = status;
        this.upstreamReusable = upstreamReusable;
        this.closesClient = closesClient;
        this.complete = complete;
    }
}
