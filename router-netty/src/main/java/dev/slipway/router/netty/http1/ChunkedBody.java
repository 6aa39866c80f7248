package dev.slipway.router.netty.http1;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Follows a chunked body (RFC 9112 §7.1) through its raw bytes, which are passed on unchanged, to find where it ends:
 * chunk sizes (hexadecimal, with optional extensions), data, and the trailer section up to its blank line, every line
 * ending in CRLF. Malformed
 * framing fails with a {@link DecoderException} naming whose body it is.
 */
public final class ChunkedBody implements Body {
    private static final int MAX_LINE = 8 * 1024;
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private enum Part { SIZE, DATA, DATA_END, TRAILERS, ENDED }

    private final String whose;
    private Part part = Part.SIZE;
    private long remaining;
    /** Bytes of the line in progress already searched for its line feed: each byte is searched once. */
    private int lineScanned;
    /** Where the chunks' data goes when the framing is taken off ({@link #relayData}); null when it passes on. */
    private List<Object> dataOut;
    /** The trailer lines go to {@link #dataOut} too ({@link #relayDataAndTrailers}). */
    private boolean trailersOut;

    /** {@code whose}: how errors name the body's sender ("the instance's", "the request's"). */
    public ChunkedBody(String whose) {
        this.whose = whose;
    }

    /** A new body begins. */
    public ChunkedBody start() {
        part = Part.SIZE;
        lineScanned = 0;
        return this;
    }

    /**
     * Passes on only the data of the chunks, as slices of {@code in}, for a reader of HTTP/1.0 (the sizes, extensions
     * and trailers are read and dropped); returns whether the body ended.
     */
    boolean relayData(ByteBuf in, List<Object> out) {
        dataOut = out;
        try {
            in.skipBytes(scan(in));
        } finally {
            dataOut = null;
        }
        return ended();
    }

    /**
     * As {@link #relayData}, for a reader that takes trailers (HTTP/2): each line of the trailer section follows the
     * data as a String ({@code name: value}, without its CRLF). A line not whole yet stays in {@code in}.
     */
    public boolean relayDataAndTrailers(ByteBuf in, List<Object> out) {
        trailersOut = true;
        try {
            return relayData(in, out);
        } finally {
            trailersOut = false;
        }
    }

    @Override
    public boolean ended() {
        return part == Part.ENDED;
    }

    @Override
    public int scan(ByteBuf in) {
        int from = in.readerIndex();
        int limit = in.writerIndex();
        int p = from;
        while (p < limit && part != Part.ENDED) {
            if (part == Part.DATA) {
                int n = (int) Math.min(remaining, limit - p);
                if (dataOut != null && n > 0) {
                    dataOut.add(in.retainedSlice(p, n));
                }
                p += n;
                remaining -= n;
                if (remaining == 0) {
                    part = Part.DATA_END;
                }
                continue;
            }
            int lf = in.indexOf(p + lineScanned, limit, LF);
            if (lf < 0) {
                if (limit - p > MAX_LINE) {
                    throw new DecoderException(whose + " chunk size or trailer line is longer than " + MAX_LINE + " bytes");
                }
                lineScanned = limit - p;
                break;
            }
            lineScanned = 0;
            if (lf == p || in.getByte(lf - 1) != CR) { // passed on as they are: a reader could frame a bare LF differently
                throw new DecoderException(whose + " chunked body has a line ending in a bare line feed");
            }
            boolean blank = lf == p || lf == p + 1 && in.getByte(p) == CR;
            switch (part) {
                case SIZE -> {
                    remaining = size(in, p, lf);
                    part = remaining == 0 ? Part.TRAILERS : Part.DATA;
                }
                case DATA_END -> {
                    if (!blank) {
                        throw new DecoderException(whose + " chunk is longer than its size says");
                    }
                    part = Part.SIZE;
                }
                default -> { // TRAILERS, up to a blank line
                    if (blank) {
                        part = Part.ENDED;
                    } else if (in.getByte(p) == ' ' || in.getByte(p) == '\t' || in.indexOf(p, lf, (byte) ':') < 0) {
                        throw new DecoderException(whose + " chunked body has a malformed trailer line");
                    } else if (trailersOut) {
                        dataOut.add(in.toString(p, lf - 1 - p, StandardCharsets.ISO_8859_1));
                    }
                }
            }
            p = lf + 1;
        }
        return p - from;
    }

    private long size(ByteBuf in, int from, int lf) {
        long size = 0;
        int digits = 0;
        int i = from;
        for (; i < lf; i++) {
            int d = Character.digit(in.getByte(i), 16);
            if (d < 0) {
                break;
            }
            if (++digits > 15) {
                throw new DecoderException(whose + " chunk size is too large");
            }
            size = size * 16 + d;
        }
        if (digits == 0) {
            throw new DecoderException(whose + " chunk has no hexadecimal size");
        }
        for (; i < lf; i++) { // what may follow the size: whitespace, extensions, CR
            byte b = in.getByte(i);
            if (b == ';') {
                break;
            }
            if (b != ' ' && b != '\t' && !(b == CR && i == lf - 1)) {
                throw new DecoderException(whose + " chunk size is not hexadecimal");
            }
        }
        for (; i < lf - 1; i++) { // extensions: no control characters
            byte b = in.getByte(i);
            if (b < ' ' && b != '\t' || b == 127) {
                throw new DecoderException(whose + " chunk extension has a control character");
            }
        }
        return size;
    }
}
