package dev.slipway.router.netty.http1;

import static dev.slipway.router.netty.http1.HeadBytes.isSpace;
import static dev.slipway.router.netty.http1.HeadBytes.lineEnd;
import static dev.slipway.router.netty.http1.HeadBytes.nameIs;
import static dev.slipway.router.netty.http1.HeadBytes.trimEnd;
import static dev.slipway.router.netty.http1.HeadBytes.trimStart;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Arrays;

/**
 * The header lines of a request head, checked (RFC 9112 §5, RFC 9110 §5.5: a token name right before its colon, no
 * obsolete line folding, no control characters in values) and classified by what the router does with each: reads it
 * ({@link #HOST}, {@link #CONTENT_LENGTH}, ...), drops it (hop-by-hop and X-Forwarded headers it sets itself), or passes
 * it on ({@link #OTHER}). Offsets point into the copied head; one instance per connection, reused for every request.
 */
final class HeaderFields {
    private static final int MAX_FIELDS = 128;
    private static final int MAX_RESPONSE_FIELDS = 256;
    static final String BARE_LF = "lines must end in CRLF, not a bare line feed.";
    private static final boolean[] TOKEN = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    /** Kinds of header fields the router reads or drops; {@link #OTHER} passes through. */
    static final int OTHER = 0;
    static final int HOST = 1;
    static final int CONTENT_LENGTH = 2;
    static final int TRANSFER_ENCODING = 3;
    static final int CONNECTION = 4;
    static final int EXPECT = 5;
    static final int X_FORWARDED_FOR = 6;
    static final int DROPPED = 7;
    /** traceparent and X-Amzn-Trace-Id: passed on last, where a traced request's are replaced by the router's. */
    static final int TRACE_CONTEXT = 8;
    /** Upgrade (a request's): dropped, but for a GET that asks for a protocol switch the router passes through. */
    static final int UPGRADE = 9;

    /** Per field: kind, name start, name end, value start, value end. */
    private int[] fields = new int[5 * 16];
    private int count;

    /** How many fields the last {@link #parse} found. */
    int count() {
        return count;
    }

    int kind(int i) {
        return fields[5 * i];
    }

    int nameStart(int i) {
        return fields[5 * i + 1];
    }

    int nameEnd(int i) {
        return fields[5 * i + 2];
    }

    int valueStart(int i) {
        return fields[5 * i + 3];
    }

    int valueEnd(int i) {
        return fields[5 * i + 4];
    }

    /**
     * Checks the header lines of {@code head} (after its first line, up to {@code headEnd}: the blank line's end, as
     * {@link HeadBytes#feed} found it) and records each; returns how many there are. A request's lines must end in
     * CRLF; a response's may end in a bare line feed (they are passed on with CRLF), and its fields are classified
     * only as framing needs ({@link #CONTENT_LENGTH}, {@link #TRANSFER_ENCODING}, {@link #CONNECTION}, Keep-Alive
     * {@link #DROPPED}).
     */
    int parse(HeadBytes head, int headEnd, boolean request) {
        byte[] b = head.array();
        count = 0;
        for (int line = 1, p = head.lineFeed(0) + 1; p < headEnd; line++) {
            int next = head.lineFeed(line);
            int end = lineEnd(b, p, next);
            if (end == next && request) { // as Netty refuses too: another reader could split such lines differently
                throw new MalformedHead(BARE_LF);
            }
            if (end == p) {
                break;
            }
            if (isSpace(b[p])) {
                throw new MalformedHead("a header line begins with whitespace (obsolete line folding).");
            }
            int colon = p;
            while (colon < end && isToken(b[colon])) {
                colon++;
            }
            if (colon == p || colon == end || b[colon] != ':') {
                throw new MalformedHead("a header name has a character a token cannot have, or no colon right after it.");
            }
            int vs = trimStart(b, colon + 1, end);
            int ve = trimEnd(b, vs, end);
            for (int i = vs; i < ve; i++) {
                int c = b[i] & 0xff;
                if (c < ' ' && c != '\t' || c == 127) {
                    throw new MalformedHead("a header value has a control character.");
                }
            }
            if (count == (request ? MAX_FIELDS : MAX_RESPONSE_FIELDS)) {
                throw new MalformedHead(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "more than " + count + " header fields.");
            }
            if (fields.length < 5 * (count + 1)) {
                fields = Arrays.copyOf(fields, fields.length * 2);
            }
            int at = 5 * count++;
            fields[at] = request ? kind(b, p, colon - p) : responseKind(b, p, colon - p);
            fields[at + 1] = p;
            fields[at + 2] = colon;
            fields[at + 3] = vs;
            fields[at + 4] = ve;
            p = next + 1;
        }
        return count;
    }

    private static int kind(byte[] b, int at, int length) {
        return switch (length) {
            case 2 -> nameIs(b, at, 2, "te") ? DROPPED : OTHER;
            case 4 -> nameIs(b, at, 4, "host") ? HOST : OTHER;
            case 6 -> nameIs(b, at, 6, "expect") ? EXPECT : OTHER;
            case 7 -> nameIs(b, at, 7, "trailer") ? DROPPED : nameIs(b, at, 7, "upgrade") ? UPGRADE : OTHER;
            case 10 -> nameIs(b, at, 10, "connection") ? CONNECTION : nameIs(b, at, 10, "keep-alive") ? DROPPED : proxy(b, at, length);
            case 11 -> nameIs(b, at, 11, "traceparent") ? TRACE_CONTEXT : proxy(b, at, length);
            case 14 -> nameIs(b, at, 14, "content-length") ? CONTENT_LENGTH : proxy(b, at, length);
            case 15 -> nameIs(b, at, 15, "x-forwarded-for") ? X_FORWARDED_FOR
                    : nameIs(b, at, 15, "x-amzn-trace-id") ? TRACE_CONTEXT : proxy(b, at, length);
            case 16 -> nameIs(b, at, 16, "x-forwarded-host") ? DROPPED : proxy(b, at, length);
            case 17 -> nameIs(b, at, 17, "transfer-encoding") ? TRANSFER_ENCODING
                    : nameIs(b, at, 17, "x-forwarded-proto") ? DROPPED : proxy(b, at, length);
            default -> proxy(b, at, length);
        };
    }

    private static int responseKind(byte[] b, int at, int length) {
        return switch (length) {
            case 10 -> nameIs(b, at, 10, "connection") ? CONNECTION : nameIs(b, at, 10, "keep-alive") ? DROPPED : OTHER;
            case 14 -> nameIs(b, at, 14, "content-length") ? CONTENT_LENGTH : OTHER;
            case 17 -> nameIs(b, at, 17, "transfer-encoding") ? TRANSFER_ENCODING : OTHER;
            default -> OTHER;
        };
    }

    private static int proxy(byte[] b, int at, int length) {
        return length > 6 && nameIs(b, at, 6, "proxy-") ? DROPPED : OTHER;
    }

    static boolean isToken(byte c) {
        return c > 0 && TOKEN[c];
    }
}
