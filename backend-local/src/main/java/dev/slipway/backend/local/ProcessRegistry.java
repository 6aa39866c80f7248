package dev.slipway.backend.local;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A machine-wide record of the process groups local backends started, one file per group naming the process and
 * the JVM that owns it. At start, a backend stops the groups whose owning JVM is gone (it was killed), so a crash of
 * the control plane leaves no orphan beyond its next start. Like Testcontainers' reaper, but without a daemon.
 */
final class ProcessRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessRegistry.class);
    private static final ProcessHandle SELF = ProcessHandle.current();

    private final Path dir;

    ProcessRegistry(Path dir) {
        this.dir = dir;
    }

    static ProcessRegistry defaultRegistry() {
        return new ProcessRegistry(Path.of(System.getProperty("java.io.tmpdir"), "slipway-local-processes"));
    }

    /** Records that this JVM owns process group {@code process}. */
    void register(String id, ProcessHandle process) {
        Properties p = new Properties();
        p.setProperty("pid", Long.toString(process.pid()));
        p.setProperty("start", startOf(process));
        p.setProperty("owner", Long.toString(SELF.pid()));
        p.setProperty("ownerStart", startOf(SELF));
        try {
            Files.createDirectories(dir);
            try (Writer w = Files.newBufferedWriter(dir.resolve(id + ".pid"))) {
                p.store(w, "process group started by Slipway's local backend");
            }
        } catch (IOException e) {
            LOG.warn("cannot record process {} in {}: a crash could leave it running", process.pid(), dir, e);
        }
    }

    void unregister(String id) {
        try {
            Files.deleteIfExists(dir.resolve(id + ".pid"));
        } catch (IOException ignored) {
            // a stale file is reaped later
        }
    }

    /** Stops the process groups whose owning JVM is no longer running; returns how many were stopped. */
    int reapOrphans(Duration grace) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int reaped = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.pid")) {
            for (Path file : files) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(file)) {
                    p.load(r);
                } catch (IOException | IllegalArgumentException e) {
                    continue;
                }
                long owner = Long.parseLong(p.getProperty("owner", "0"));
                if (alive(owner, p.getProperty("ownerStart"))) {
                    continue;
                }
                long pid = Long.parseLong(p.getProperty("pid", "0"));
                if (alive(pid, p.getProperty("start")) || ProcessGroups.groupAlive(pid)) {
                    LOG.info("stopping process group {} left by a Slipway JVM ({}) that is gone", pid, owner);
                    ProcessGroups.stop(pid, grace);
                    reaped++;
                }
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            LOG.warn("cannot read {} to find orphaned processes", dir, e);
        }
        return reaped;
    }

    private static boolean alive(long pid, String start) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        return h.isPresent() && h.get().isAlive() && startOf(h.get()).equals(start);
    }

    private static String startOf(ProcessHandle h) {
        return h.info().startInstant().map(Object::toString).orElse("unknown");
    }
}
