package dev.slipway.core.observe;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One log stream's file, a whole line per write. A line that cannot be written (a full disk) leaves nothing of itself
 * (a write cut halfway is truncated away) and is counted; once a line can be written again, a marker line saying how
 * many were lost comes first.
 */
final class LogFile implements AutoCloseable {
    private final FileChannel channel;
    private long dropped;

    LogFile(Path file) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    /** Appends {@code line} (and first the marker of lines lost before); false if it was lost too. */
    synchronized boolean append(String stamp, String line) {
        String text = (dropped > 0 ? stamp + " [slipway] " + dropped + " line" + (dropped == 1 ? " was" : "s were")
                + " lost here: the disk was full\n" : "") + stamp + " " + line + "\n";
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        long size = -1;
        try {
            size = channel.size();
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            dropped = 0;
            return true;
        } catch (IOException e) {
            dropped++;
            if (size >= 0) {
                try {
                    channel.truncate(size); // no half line
                } catch (IOException ignored) {
                    // as much as can be done
                }
            }
            return false;
        }
    }

    /** Lines lost since the last one written. */
    synchronized long dropped() {
        return dropped;
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
