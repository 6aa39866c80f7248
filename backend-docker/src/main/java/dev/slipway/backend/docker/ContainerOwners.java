package dev.slipway.backend.docker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which JVM owns a container, so that those of a control plane that is gone can be found and removed. The labels of a
 * container (and of a build's containers) name the JVM that made it; labels cannot change, so a JVM that adopts a
 * container writes "pid start" in a file named after it, where every Slipway's reaper looks too.
 */
final class ContainerOwners {
    /** The JVM that started a container. */
    static final String OWNER_PID = "slipway.dev/owner-pid";
    static final String OWNER_START = "slipway.dev/owner-start";
    /** The work directory of the durable control plane a container is kept for after a crash, while it exists. */
    static final String KEEP_FOR = "slipway.dev/keep-for";
    private static final String SELF_PID = Long.toString(ProcessHandle.current().pid());
    private static final String SELF_START = ProcessHandle.current().info().startInstant().map(Object::toString).orElse("");
    private static final Path DIR = Path.of(System.getProperty("java.io.tmpdir"), "slipway-docker-adopters");

    private ContainerOwners() {
    }

    /** The labels that make this JVM a container's owner (and keep it for {@code keepFor}'s control plane after a crash). */
    static Map<String, String> labels(Optional<Path> keepFor) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(OWNER_PID, SELF_PID);
        labels.put(OWNER_START, SELF_START);
        keepFor.ifPresent(dir -> labels.put(KEEP_FOR, dir.toString()));
        return labels;
    }

    /** Records that this JVM owns {@code containerId} from now on (it adopted it); false if it cannot. */
    static boolean adopt(String containerId) {
        try {
            Files.createDirectories(DIR);
            Files.writeString(DIR.resolve(containerId), SELF_PID + " " + SELF_START);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether the container with {@code labels} is an orphan: the JVM that started it and the one that adopted it, if
     * any, are gone, and it is not kept for a durable control plane's directory that still exists.
     */
    static boolean orphaned(String containerId, Map<String, String> labels) {
        boolean ownerAlive = alive(labels.getOrDefault(OWNER_PID, "0"), labels.getOrDefault(OWNER_START, ""))
                || adopterAlive(containerId);
        boolean kept = labels.containsKey(KEEP_FOR) && Files.isDirectory(Path.of(labels.get(KEEP_FOR)));
        return !ownerAlive && !kept;
    }

    /** Whether the JVM {@code pid}, started at {@code start}, still runs. */
    private static boolean alive(String pid, String start) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).map(h -> h.info().startInstant().map(Object::toString).orElse("").equals(start))
                    .orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Whether a live JVM adopted {@code containerId}. */
    private static boolean adopterAlive(String containerId) {
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
