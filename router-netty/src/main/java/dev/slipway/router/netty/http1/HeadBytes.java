package dev.slipway.router.netty.http1;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A message head copied out of its buffer once, and the byte-level helpers the framers parse heads with: lines end in
 * CRLF or a bare LF (RFC 9112 §2.2), names compare ignoring ASCII case.
 */
final class HeadBytes {
    static final byte CR = '\r';
    static final byte LF = '\n';
    static final byte[] CRLF = {CR, LF};

    private byte[] bytes = new byte[2048];
    private int[] lineFeeds = new int[32];
    /** The head's bytes copied so far, the line feeds found in them, and where the head ends (-1 until found). */
    private int copied;
    private int lines;
    private int end = -1;
    /** Bytes copied and scanned since this object was made: each byte of a head once, however it was cut. */
    private long work;

    /** The copied bytes; valid up to {@link #copied()}. */
    byte[] array() {
        return bytes;
    }

    /**
     * Copies the bytes of the head at {@code in}'s reader index that arrived since the last call (up to {@code max}
     * in all) and looks for line feeds in those only, so a head that comes a byte at a time costs no more than one that
     * comes whole. Returns where the head ends (just past its blank line), or -1 while it is incomplete. The head's
     * bytes stay in {@code in} until it is complete; {@link #reset} starts the next head.
     */
    int feed(ByteBuf in, int max) {
        int n = Math.min(in.readableBytes(), max) - copied;
        if (end >= 0 || n <= 0) {
            return end;
        }
        if (bytes.length < copied + n) {
            bytes = Arrays.copyOf(bytes, Math.max(copied + n, bytes.length * 2));
        }
        in.getBytes(in.readerIndex() + copied, bytes, copied, n);
        int from = copied;
        copied += n;
        work += n;
        for (int p = from; p < copied; ) {
            int lf = indexOf(bytes, p, copied, LF);
            if (lf < 0) {
                break;
            }
            if (lines == lineFeeds.length) {
                lineFeeds = Arrays.copyOf(lineFeeds, lines * 2);
            }
            int lineStart = lines == 0 ? 0 : lineFeeds[lines - 1] + 1;
            lineFeeds[lines++] = lf;
            if (lineStart > 0 && (lf == lineStart || lf == lineStart + 1 && bytes[lineStart] == CR)) {
                end = lf + 1;
                break;
            }
            p = lf + 1;
        }
        return end;
    }

    /** The next head begins. */
    void reset() {
        copied = 0;
        lines = 0;
        end = -1;
    }

    /** How many bytes of the current head were copied. */
    int copied() {
        return copied;
    }

    /** How many line feeds were found in the current head so far. */
    int lines() {
        return lines;
    }

    /** Bytes copied and scanned so far, for tests that bound the work a head costs. */
    long work() {
        return work;
    }

    /** The {@code i}th line feed of the current head (0: the end of the first line). */
    int lineFeed(int i) {
        return lineFeeds[i];
    }

    /** The end of the line whose line feed is at {@code lf}: before its CR, if it has one. */
    static int lineEnd(byte[] b, int start, int lf) {
        return lf > start && b[lf - 1] == CR ? lf - 1 : lf;
    }

    static int indexOf(byte[] b, int from, int to, byte value) {
        for (int i = from; i < to; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    static boolean isSpace(byte c) {
        return c == ' ' || c == '\t';
    }

    /** Where the bytes from {@code from} to {@code to} begin once leading spaces and tabs are skipped. */
    static int trimStart(byte[] b, int from, int to) {
        while (from < to && isSpace(b[from])) {
            from++;
        }
        return from;
    }

    /** Where the bytes from {@code from} to {@code to} end once trailing spaces and tabs are dropped. */
    static int trimEnd(byte[] b, int from, int to) {
        while (to > from && isSpace(b[to - 1])) {
            to--;
        }
        return to;
    }

    /** Whether the bytes at {@code at} are {@code s}, exactly. */
    static boolean regionIs(byte[] b, int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (b[at + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether the {@code length} bytes at {@code at} are {@code lowerName}, ignoring ASCII case. */
    static boolean nameIs(byte[] b, int at, int length, String lowerName) {
        if (length != lowerName.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            int c = b[at + i];
            if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != lowerName.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** {@link #connectionOptions} found {@code close}. */
    static final int CLOSE = 1;
    /** {@link #connectionOptions} found {@code keep-alive}. */
    static final int KEEP_ALIVE = 2;

    /**
     * The options of a Connection header's value from {@code from} to {@code to} (RFC 9110 §7.6.1): {@link #CLOSE} and
     * {@link #KEEP_ALIVE} as bits; the other options, lower-cased, are added to {@code others} when it is not null.
     */
    static int connectionOptions(byte[] b, int from, int to, List<String> others) {
        int found = 0;
        for (int p = from; p < to; ) {
            int comma = indexOf(b, p, to, (byte) ',');
            int end = comma < 0 ? to : comma;
            int s = trimStart(b, p, end);
            int e = trimEnd(b, s, end);
            if (nameIs(b, s, e - s, "close")) {
                found |= CLOSE;
            } else if (nameIs(b, s, e - s, "keep-alive")) {
                found |= KEEP_ALIVE;
            } else if (e > s && others != null) {
                others.add(new String(b, s, e - s, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT));
            }
            p = end + 1;
        }
        return found;
    }

    /** The decimal number from {@code from} to {@code to} (1 to 18 digits, nothing else), or -1. */
    static long digits(byte[] b, int from, int to) {
        if (from == to || to - from > 18) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            value = value * 10 + d;
        }
        return value;
    }
}
