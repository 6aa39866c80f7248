package dev.slipway.backend.local;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a process group uses, read from {@code /proc}: the CPU time of its processes (user + system) and their resident
 * memory. Two samples give the CPU in use between them.
 */
final class GroupUsage {
    private static final Path PROC = Path.of("/proc");
    /** {@code /proc/<pid>/stat} counts CPU time in USER_HZ ticks, 100 per second on Linux. */
    private static final double TICKS_PER_SECOND = 100;
    /** RSS is counted in pages; 4 KiB on the x86-64 and arm64 kernels this runs on. */
    private static final long PAGE_BYTES = 4096;

    /** CPU ticks and resident bytes of a group at a moment. */
    record Sample(long cpuTicks, long residentBytes, long atNanos) {
        /** vCPUs in use between {@code earlier} and this sample. */
        double cpuSince(Sample earlier) {
            double seconds = (atNanos - earlier.atNanos) / 1e9;
            return seconds <= 0 ? 0 : Math.max(0, (cpuTicks - earlier.cpuTicks) / TICKS_PER_SECOND / seconds);
        }
    }

    private GroupUsage() {
    }

    /** The group's usage now, or empty when none of its processes runs any more. */
    static Optional<Sample> of(long processGroup) {
        long ticks = 0;
        long pages = 0;
        boolean found = false;
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path pid : pids) {
                String[] fields = statFields(pid);
                if (fields != null && Long.parseLong(fields[2]) == processGroup) { // fields from state (3rd): pgrp is the 5th
                    ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
                    pages += Long.parseLong(fields[21]); // rss
                    found = true;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return found ? Optional.of(new Sample(ticks, pages * PAGE_BYTES, System.nanoTime())) : Optional.empty();
    }

    private static String[] statFields(Path pid) {
        try {
            String stat = Files.readString(pid.resolve("stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null; // gone meanwhile
        }
    }
}
