package dev.slipway.backend.docker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who owns an adopted container now. Its labels name the JVM that started it, which is gone, and labels cannot change;
 * so the adopting JVM writes "pid start" in a file named after the container, where every Slipway's reaper looks too.
 */
final class Adopters {
    private static final Path DIR = Path.of(System.getProperty("java.io.tmpdir"), "slipway-docker-adopters");

    private Adopters() {
    }

    /** Records that the JVM {@code pid}, started at {@code start}, owns {@code containerId}; false if it cannot. */
    static boolean record(String containerId, String pid, String start) {
        try {
            Files.createDirectories(DIR);
            Files.writeString(DIR.resolve(containerId), pid + " " + start);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the JVM {@code pid}, started at {@code start}, still runs. */
    static boolean alive(String pid, String start) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).map(h -> h.info().startInstant().map(Object::toString).orElse("").equals(start))
                    .orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Whether a live JVM adopted {@code containerId}. */
    static boolean adopterAlive(String containerId) {
        try {
            String[] owner = Files.readString(DIR.resolve(containerId)).split(" ", 2);
            return owner.length == 2 && alive(owner[0], owner[1]);
        } catch (IOException e) {
            return false;
        }
    }

    /** Forgets {@code containerId}'s record (the container is gone). */
    static void forget(String containerId) {
        try {
            Files.deleteIfExists(DIR.resolve(containerId));
        } catch (IOException ignored) {
            // a stale record names a container that is gone: harmless
        }
    }
}
