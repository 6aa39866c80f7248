package dev.slipway.backend.local;

import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.build.BuildPlan;
import dev.slipway.core.observe.LogSink;
import dev.slipway.core.source.SourceFetcher;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.InstanceHandle;
import dev.slipway.core.spi.InstanceSpec;
import dev.slipway.core.spi.PreparedRevision;
import dev.slipway.core.spi.RevisionSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs instances as OS processes on this host. A revision is a workspace directory
 * ({@code <workDir>/revisions/<service-id>/<revision-id>}) where the build commands ran; each instance is
 * {@code sh -c <start command>} in it, in its own process group, with {@code PORT} set to a free port of its own
 * (every instance shares the host network). Stops are graceful (SIGTERM to the group) then forced (SIGKILL).
 */
public final class LocalBackend implements ComputeBackend {
    private static final Logger LOG = LoggerFactory.getLogger(LocalBackend.class);

    private final Path workDir;
    private final ProcessRegistry registry;
    private final RuntimeToolchains toolchains;
    private final Map<String, LocalInstance> instances = new ConcurrentHashMap<>();
    private final Map<Long, Process> builds = new ConcurrentHashMap<>();
    private final Map<String, String> revisionPaths = new ConcurrentHashMap<>();
    private volatile boolean closed;

    LocalBackend(Path workDir, ProcessRegistry registry) {
        this.workDir = workDir;
        this.registry = registry;
        this.toolchains = new RuntimeToolchains(workDir.resolve("shims"));
        int reaped = registry.reapOrphans(Duration.ofSeconds(5));
        if (reaped > 0) {
            LOG.info("stopped {} process group(s) left running by a Slipway that was killed", reaped);
        }
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public PreparedRevision prepare(RevisionSpec spec, LogSink buildLog) throws BuildFailedException {
        checkOpen();
        BuildPlan plan = spec.plan();
        RuntimeToolchains.Toolchain toolchain = toolchains.resolve(plan.runtime(), plan.runtimeVersion());
        buildLog.line(toolchain.description());
        Path workspace = workDir.resolve("revisions").resolve(spec.serviceId()).resolve(spec.revisionId());
        try {
            Files.createDirectories(workspace);
            SourceFetcher.copyTree(spec.sourceDir(), workspace);
        } catch (IOException e) {
            throw new BuildFailedException("cannot create the workspace " + workspace + ": " + e.getMessage(), e);
        }
        Map<String, String> env = new HashMap<>(plan.buildEnv());
        env.put("PATH", toolchain.path());
        try {
            runPhase("pre-build", plan.preBuildCommands(), workspace, env, buildLog);
            runPhase("build", plan.buildCommands(), workspace, env, buildLog);
            runPhase("post-build", plan.postBuildCommands(), workspace, env, buildLog);
        } catch (BuildFailedException e) {
            SourceFetcher.deleteTree(workspace);
            throw e;
        }
        revisionPaths.put(spec.revisionId(), toolchain.path());
        return new PreparedRevision(spec.serviceId(), spec.revisionId(), workspace.toString(), plan);
    }

    private void runPhase(String phase, List<String> commands, Path dir, Map<String, String> env, LogSink log)
            throws BuildFailedException {
        for (String command : commands) {
            checkOpen();
            log.line("[" + phase + "] $ " + command);
            Process p;
            try {
                p = ProcessGroups.start(command, dir, env);
            } catch (IOException e) {
                throw new BuildFailedException("cannot run " + phase + " command '" + command + "': " + e.getMessage(), e);
            }
            builds.put(p.pid(), p);
            String registryId = "build-" + p.pid();
            registry.register(registryId, p.toHandle()); // a build left by a killed control plane is reaped too
            try {
                pump(p, log);
                int code = p.waitFor();
                if (code != 0) {
                    throw new BuildFailedException("the " + phase + " command '" + command + "' exited with code "
                            + code + "; its output is in the deployment log above");
                }
            } catch (InterruptedException e) {
                ProcessGroups.stop(p.pid(), Duration.ofSeconds(2));
                Thread.currentThread().interrupt();
                throw new BuildFailedException("the build was interrupted");
            } finally {
                builds.remove(p.pid());
                registry.unregister(registryId);
            }
        }
    }

    @Override
    public InstanceHandle start(PreparedRevision revision, InstanceSpec spec, LogSink instanceLog) {
        checkOpen();
        BuildPlan plan = revision.plan();
        int port = freePort();
        Map<String, String> env = new HashMap<>(plan.runEnv());
        env.putAll(spec.env());
        env.put("PATH", revisionPaths.computeIfAbsent(revision.revisionId(), id -> toolchainPath(plan)));
        env.put("PORT", Integer.toString(port));
        plan.portEnv().ifPresent(name -> env.put(name, Integer.toString(port)));
        Process p;
        try {
            p = ProcessGroups.start(plan.startCommand(), Path.of(revision.location()), env);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start '" + plan.startCommand() + "'", e);
        }
        registry.register(spec.instanceId(), p.toHandle());
        LocalInstance instance = new LocalInstance(spec.instanceId(), port, p);
        instances.put(spec.instanceId(), instance);
        Thread reader = new Thread(() -> {
            try {
                pump(p, instanceLog);
            } catch (RuntimeException ignored) {
                // the instance is gone
            }
        }, "slipway-instance-log-" + spec.instanceId());
        reader.setDaemon(true);
        reader.start();
        LOG.debug("started instance {} of {} (pid {}, port {})", spec.instanceId(), spec.serviceName(), p.pid(), port);
        return instance;
    }

    /** The PATH of a revision built by an earlier run of Slipway (its workspace is kept in the state directory). */
    private String toolchainPath(BuildPlan plan) {
        try {
            return toolchains.resolve(plan.runtime(), plan.runtimeVersion()).path();
        } catch (BuildFailedException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public void stop(InstanceHandle instance, Duration grace) {
        LocalInstance local = instances.remove(instance.instanceId());
        if (local == null) {
            return;
        }
        ProcessGroups.stop(local.process.pid(), grace);
        registry.unregister(instance.instanceId());
    }

    @Override
    public void discard(PreparedRevision revision) {
        revisionPaths.remove(revision.revisionId());
        SourceFetcher.deleteTree(Path.of(revision.location()));
    }

    @Override
    public void close() {
        closed = true;
        builds.values().forEach(p -> ProcessGroups.stop(p.pid(), Duration.ofSeconds(2)));
        List<Thread> stoppers = new ArrayList<>();
        for (LocalInstance i : List.copyOf(instances.values())) {
            Thread t = new Thread(() -> stop(i, Duration.ofSeconds(5)), "slipway-stop-" + i.instanceId());
            t.start();
            stoppers.add(t);
        }
        for (Thread t : stoppers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the local backend is closed");
        }
    }

    private static void pump(Process p, LogSink sink) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                sink.line(line);
            }
        } catch (IOException ignored) {
            // the stream closes when the process ends
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    /** A running process group. */
    private static final class LocalInstance implements InstanceHandle {
        private final String id;
        private final int port;
        private final Process process;
        private final CompletableFuture<String> exited;

        LocalInstance(String id, int port, Process process) {
            this.id = id;
            this.port = port;
            this.process = process;
            this.exited = process.onExit().thenApply(p -> "exited with code " + p.exitValue());
        }

        @Override
        public String instanceId() {
            return id;
        }

        @Override
        public String host() {
            return "127.0.0.1";
        }

        @Override
        public int port() {
            return port;
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public CompletableFuture<String> exited() {
            return exited;
        }
    }
}
