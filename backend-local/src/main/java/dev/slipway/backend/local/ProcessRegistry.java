package dev.slipway.backend.local;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.slipway.core.spi.InstanceSpec;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A machine-wide record of the process groups local backends started, one file per group naming the process, the JVM
 * that owns it and its instance's owner labels. A restarted control plane claims its own instances back
 * ({@link #claim}); what JVMs that are gone left otherwise is stopped by {@link #reapOrphans}, so a crash of the
 * control plane leaves no orphan beyond the next start. Like Testcontainers' reaper, but without a daemon.
 */
final class ProcessRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessRegistry.class);
    private static final ProcessHandle SELF = ProcessHandle.current();
    private static final String LABEL = "label.";

    private final Path dir;
    /** This registry's run: what it records is not claimed back by itself. */
    private final String run = java.util.UUID.randomUUID().toString();
    /** The work directory of a durable control plane: its instances are kept after a crash while it exists. */
    private volatile Path keepFor;

    ProcessRegistry(Path dir) {
        this.dir = dir;
    }

    static ProcessRegistry defaultRegistry() {
        return new ProcessRegistry(Path.of(System.getProperty("java.io.tmpdir"), "slipway-local-processes"));
    }

    /**
     * Instances recorded from now on belong to a control plane that starts on {@code workDir} again: if this JVM dies,
     * other JVMs' {@link #reapOrphans} leave them running for that control plane to {@link #claim}, as long as
     * {@code workDir} exists (builds are reaped all the same: nothing resumes them).
     */
    ProcessRegistry keepInstancesFor(Path workDir) {
        this.keepFor = workDir.toAbsolutePath();
        return this;
    }

    /** A process group recorded by a backend, with the owner labels of its instance (none for a build). */
    record Entry(String id, long pid, int port, Map<String, String> labels) {
    }

    /** Records that this JVM owns process group {@code process}. */
    void register(String id, ProcessHandle process) {
        register(id, process, 0, Map.of());
    }

    /** Records that this JVM owns the process group of an instance listening on {@code port}, with its owner labels. */
    void register(String id, ProcessHandle process, int port, Map<String, String> labels) {
        Properties p = new Properties();
        p.setProperty("port", Integer.toString(port));
        p.setProperty("run", run);
        labels.forEach((k, v) -> p.setProperty(LABEL + k, v));
        Path keep = keepFor;
        if (keep != null && !labels.isEmpty()) {
            p.setProperty("keepFor", keep.toString());
        }
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

    /**
     * Takes over the instances an earlier run of control plane {@code controlPlaneId} recorded (one control plane runs
     * at a time per state directory) whose process group still runs: they are recorded as this run's and returned.
     */
    List<Entry> claim(String controlPlaneId) {
        List<Entry> claimed = new ArrayList<>();
        for (Path file : files()) {
            Properties p = read(file);
            if (p == null || !controlPlaneId.equals(p.getProperty(LABEL + InstanceSpec.CONTROL_PLANE)) || run.equals(p.getProperty("run"))) {
                continue;
            }
            long pid = Long.parseLong(p.getProperty("pid", "0"));
            String id = file.getFileName().toString().replace(".pid", "");
            if (!ProcessGroups.groupAlive(pid)) {
                unregister(id);
                continue;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            p.stringPropertyNames().stream().filter(k -> k.startsWith(LABEL))
                    .forEach(k -> labels.put(k.substring(LABEL.length()), p.getProperty(k)));
            Entry e = new Entry(id, pid, Integer.parseInt(p.getProperty("port", "0")), labels);
            ProcessHandle.of(pid).ifPresent(h -> register(id, h, e.port(), labels));
            claimed.add(e);
        }
        return claimed;
    }

    private List<Path> files() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> all = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.pid")) {
            files.forEach(all::add);
        } catch (IOException e) {
            LOG.warn("cannot read {} to find processes of earlier runs", dir, e);
        }
        return all;
    }

    private static Properties read(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
            return p;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Stops the process groups whose owning JVM is no longer running, but for the instances of a durable control plane
     * whose work directory still exists (kept for it to claim); returns how many were stopped.
     */
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
                String keep = p.getProperty("keepFor");
                if (alive(owner, p.getProperty("ownerStart")) || keep != null && Files.isDirectory(Path.of(keep))) {
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
