package dev.slipway.router.netty;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The framers find line feeds and colons eight bytes at a time: always the first one, as a byte-by-byte scan would. */
class HeadBytesTest {
    @Property(tries = 2000)
    void indexOfFindsTheFirstOccurrenceInTheRange(@ForAll @Size(max = 40) byte[] bytes, @ForAll @IntRange(max = 40) int from,
            @ForAll @IntRange(max = 40) int to, @ForAll byte value) {
        // a few bytes of the array are the one looked for, some with the high bit set (as 0x80 + value would be)
        for (int i = 0; i < bytes.length; i += 7) {
            bytes[i] = i % 2 == 0 ? value : (byte) (value ^ 0x80);
        }
        int start = Math.min(from, bytes.length);
        int end = Math.max(start, Math.min(to, bytes.length));
        int expected = -1;
        for (int i = start; i < end; i++) {
            if (bytes[i] == value) {
                expected = i;
                break;
            }
        }
        assertThat(HeadBytes.indexOf(bytes, start, end, value)).isEqualTo(expected);
    }
}
