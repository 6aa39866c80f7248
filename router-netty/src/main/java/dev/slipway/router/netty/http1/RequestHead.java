package dev.slipway.router.netty.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * A request head as {@link RequestFramer} emits it: what the router routes by (the Host, or the absolute target's
 * authority, normalized; null if the request names none), what the exchange needs to know of the request, and the
 * bytes the instance gets ({@link #content()}).
 */
public final class RequestHead extends DefaultByteBufHolder {
    public final boolean headRequest;
    public final String host;
    public final boolean keepAlive;
    /** The client spoke HTTP/1.0: it reads no chunked body. */
    public final boolean http10;
    /** The Expect header's value, or null. */
    public final String expect;
    /** No body follows (or a small one is in these bytes). */
    public final boolean complete;
    /** GET, HEAD, OPTIONS, TRACE, PUT or DELETE (RFC 9110 §9.2.2): the same request twice means what it means once. */
    public final boolean idempotent;
    /** The first traceparent header's value as it came (W3C Trace Context), or null. */
    public final String traceparent;
    /**
     * The protocol a GET asks to switch to (its Upgrade, with Connection: upgrade, no body), else null: forwarded with both, and the bytes the
     * client sends after it wait in the framer until the instance answers 101 (then they are relayed as they are) or
     * anything else (then they are read as the next request).
     */
    public final String upgrade;
    private final int methodEnd;
    /** In {@link #content()}: where the trace context lines (traceparent, X-Amzn-Trace-Id) begin, and where they end. */
    private final int traceStart;
    private final int fieldsEnd;

    RequestHead(boolean headRequest, String host, boolean keepAlive, boolean http10, String expect, boolean complete,
                boolean idempotent, ByteBuf bytes, int methodEnd, String traceparent, int traceStart, int fieldsEnd, String upgrade) {
        super(bytes);
        this.upgrade = upgrade;
        this.methodEnd = methodEnd;
        this.traceparent = traceparent;
        this.traceStart = traceStart;
        this.fieldsEnd = fieldsEnd;
        this.headRequest = headRequest;
        this.host = host;
        this.keepAlive = keepAlive;
        this.http10 = http10;
        this.expect = expect;
        this.complete = complete;
        this.idempotent = idempotent;
    }

    /** The request target as the instance gets it (origin form: {@code /path?query}), read from the head's bytes. */
    public String target() {
        ByteBuf b = content();
        int from = b.indexOf(b.readerIndex(), b.writerIndex(), (byte) ' ') + 1;
        int to = b.indexOf(from, b.writerIndex(), (byte) ' ');
        return from <= 0 || to < 0 ? "" : b.toString(from, to - from, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** The request method, read from the head's bytes. */
    public String method() {
        ByteBuf b = content();
        return b.toString(b.readerIndex(), methodEnd, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /**
     * This head with {@code lines} (whole header lines, each ending in CRLF) instead of the trace context lines it
     * came with: a new buffer; this one is released.
     */
    public RequestHead withTraceContext(io.netty.buffer.ByteBufAllocator alloc, String lines) {
        ByteBuf old = content();
        int base = old.readerIndex();
        ByteBuf next = alloc.buffer(old.readableBytes() + lines.length());
        next.writeBytes(old, base, traceStart);
        int start = next.writerIndex();
        next.writeCharSequence(lines, java.nio.charset.StandardCharsets.ISO_8859_1);
        int end = next.writerIndex();
        next.writeBytes(old, base + fieldsEnd, old.writerIndex() - base - fieldsEnd);
        RequestHead replaced = new RequestHead(headRequest, host, keepAlive, http10, expect, complete, idempotent, next, methodEnd,
                traceparent, start, end, upgrade);
        release();
        return replaced;
    }

    @Override
    public RequestHead replace(ByteBuf content) {
        return new RequestHead(headRequest, host, keepAlive, http10, expect, complete, idempotent, content, methodEnd,
                traceparent, traceStart, fieldsEnd, upgrade);
    }

    @Override
    public RequestHead retainedDuplicate() {
        return replace(content().retainedDuplicate());
    }
}
