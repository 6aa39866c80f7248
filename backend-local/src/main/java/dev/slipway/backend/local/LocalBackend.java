package dev.slipway.backend.local;

import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.build.BuildPlan;
import dev.slipway.core.observe.LogSink;
import dev.slipway.core.source.SourceFetcher;
import dev.slipway.core.spi.AdoptedInstance;
import dev.slipway.core.spi.BackendCapabilities;
import dev.slipway.core.spi.BuildCancelledException;
import dev.slipway.core.spi.BuildListener;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.InstanceEvent;
import dev.slipway.core.spi.InstanceHandle;
import dev.slipway.core.spi.InstanceUsage;
import dev.slipway.core.spi.InstanceListener;
import dev.slipway.core.spi.InstanceSpec;
import dev.slipway.core.spi.ListeningPorts;
import dev.slipway.core.spi.PortWatch;
import dev.slipway.core.spi.PreparedRevision;
import dev.slipway.core.spi.RevisionSource;
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
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs instances as OS processes on this host. A revision is a workspace directory
 * ({@code <workDir>/revisions/<service-id>/<revision-id>}) where the build commands ran; each instance is
 * {@code sh -c <start command>} in it, in its own process group, with {@code PORT} set to a free port of its own
 * (every instance shares the host network). Stops are graceful (SIGTERM to the group) then forced (SIGKILL).
 *
 * <p>An instance's output is a pipe to the JVM that started it, so instances found by {@link #adopt} after a crash
 * cannot be kept (their output has nowhere to go): core stops them and starts new ones.
 */
public final class LocalBackend implements ComputeBackend {
    private static final Logger LOG = LoggerFactory.getLogger(LocalBackend.class);
    private static final BackendCapabilities CAPABILITIES = new BackendCapabilities(false, true, false, false, false, true);
    private static final String PATH = "PATH";

    private final Path workDir;
    /** Where instances' output files are: the backend's own directory, closed to the apps' account. */
    private final Path outputDir;
    private final ProcessRegistry registry;
    private final Optional<RunAs> runAs;
    private final RuntimeToolchains toolchains;
    private final Map<String, LocalInstance> instances = new ConcurrentHashMap<>();
    private final Map<Long, Process> builds = new ConcurrentHashMap<>();
    private final ScheduledExecutorService portWatch = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "slipway-port-watch");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    LocalBackend(Path workDir, ProcessRegistry registry) {
        this(workDir, registry, Optional.empty());
    }

    /** @param runAs the account builds and instances run as, if not this JVM's */
    LocalBackend(Path workDir, ProcessRegistry registry, Optional<RunAs> runAs) {
        this.workDir = runAs.map(RunAs::appsDir).orElse(workDir);
        this.outputDir = workDir.resolve("output");
        this.registry = registry;
        this.runAs = runAs;
        String hostPath = Optional.ofNullable(System.getenv(PATH)).orElse("/usr/local/bin:/usr/bin:/bin");
        this.toolchains = new RuntimeToolchains(this.workDir.resolve("shims"), runAs.map(r -> r.reachable(hostPath)).orElse(hostPath));
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public BackendCapabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public PreparedRevision prepare(RevisionSpec spec, BuildListener listener) throws BuildFailedException {
        checkOpen();
        if (!(spec.source() instanceof RevisionSource.Build source)) {
            throw new BuildFailedException("the local backend runs source code only, not container images; use the docker backend");
        }
        BuildPlan plan = source.plan();
        RuntimeToolchains.Toolchain toolchain = toolchains.resolve(plan.runtime(), plan.runtimeVersion());
        listener.output(toolchain.description());
        Path workspace = workDir.resolve("revisions").resolve(spec.serviceId()).resolve(spec.revisionId());
        try {
            Files.createDirectories(workspace.getParent());
            moveOrCopy(source.sourceDir(), workspace);
            if (runAs.isPresent()) {
                runAs.get().own(workspace);
            }
        } catch (IOException e) {
            throw new BuildFailedException("cannot create the workspace " + workspace + ": " + e.getMessage(), e);
        }
        Map<String, String> env = new HashMap<>(toolchain.env());
        env.putAll(plan.buildEnv());
        env.put(PATH, toolchain.path());
        if (runAs.isPresent()) {
            try {
                env = RunAs.homeEnvironment(runAs.get().home(spec.serviceId()), env);
            } catch (IOException e) {
                throw new BuildFailedException("cannot create the home of service " + spec.serviceId() + ": " + e.getMessage(), e);
            }
        }
        List<String[]> steps = new ArrayList<>();
        plan.phases().forEach(e -> steps.add(new String[] {e.getKey(), e.getValue()}));
        try {
            for (int i = 0; i < steps.size(); i++) {
                listener.progress(steps.get(i)[0] + ": " + steps.get(i)[1], i + 1, steps.size());
                runBuildCommand(steps.get(i)[0], steps.get(i)[1], workspace, env, listener::output);
            }
        } catch (BuildFailedException e) {
            SourceFetcher.deleteTree(workspace);
            throw e;
        }
        Map<String, String> attributes = new HashMap<>(toolchain.env()); // JAVA_HOME of the JDK chosen, if any
        attributes.put(PATH, toolchain.path());
        return new PreparedRevision(spec.serviceId(), spec.revisionId(), workspace.toString(), attributes, spec.run());
    }

    /** The source is the backend's now: moved into the workspace (one copy in all), copied only across file systems. */
    private static void moveOrCopy(Path source, Path workspace) throws IOException {
        try {
            Files.move(source, workspace, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.createDirectories(workspace);
            SourceFetcher.copyTree(source, workspace, LogSink.DISCARD); // a tree copied once already
        }
    }

    private void runBuildCommand(String phase, String command, Path dir, Map<String, String> env, LogSink log)
            throws BuildFailedException {
        checkOpen();
        log.line("[" + phase + "] $ " + command);
        Process p;
        try {
            p = ProcessGroups.start(command, dir, env, runAs);
        } catch (IOException e) {
            throw new BuildFailedException("cannot run " + phase + " command '" + command + "': " + e.getMessage(), e);
        }
        builds.put(p.pid(), p);
        String registryId = "build-" + p.pid();
        registry.register(registryId, p.toHandle()); // a build left by a killed control plane is reaped too
        Thread reader = new Thread(() -> pump(p, log), "slipway-build-log-" + p.pid());
        reader.setDaemon(true);
        reader.start();
        try {
            int code = p.waitFor();
            reader.join();
            if (code != 0) {
                throw new BuildFailedException("the " + phase + " command '" + command + "' exited with code "
                        + code + "; its output is in the deployment log above");
            }
        } catch (InterruptedException e) {
            ProcessGroups.stop(p.pid(), Duration.ofSeconds(2));
            Thread.currentThread().interrupt();
            throw new BuildCancelledException("the build was cancelled during the " + phase + " command '" + command + "'");
        } finally {
            builds.remove(p.pid());
            registry.unregister(registryId);
        }
    }

    @Override
    public InstanceHandle start(PreparedRevision revision, InstanceSpec spec, InstanceListener listener) {
        checkOpen();
        var run = revision.run();
        int port = freePort();
        Map<String, String> env = new HashMap<>(revision.attributes()); // PATH, and JAVA_HOME of the JDK chosen
        env.putAll(run.environment());
        env.put(PATH, revision.attributes().getOrDefault(PATH, System.getenv(PATH)));
        env.put("PORT", Integer.toString(port));
        run.portEnv().ifPresent(name -> env.put(name, Integer.toString(port)));
        Map<String, String> processEnv;
        try {
            processEnv = runAs.isPresent() ? RunAs.homeEnvironment(runAs.get().home(revision.serviceId()), env) : env;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the home of service " + spec.serviceName(), e);
        }
        String command = run.startCommand().orElseThrow(() -> new IllegalArgumentException("a local instance needs a start command"));
        InstanceOutput output = new InstanceOutput(outputDir, spec.instanceId());
        Process p;
        try {
            Files.createDirectories(outputDir);
            p = ProcessGroups.start(command, Path.of(revision.location()), processEnv, runAs, output.file());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start '" + command + "'", e);
        }
        registry.register(spec.instanceId(), p.toHandle(), port, spec.labels());
        LocalInstance instance = new LocalInstance(spec.instanceId(), port, p.pid());
        instance.memoryLimitBytes = run.resources().memoryMiB() * 1024L * 1024;
        instances.put(spec.instanceId(), instance);
        follow(instance, output, listener, p::isAlive, () -> {
            int code = p.onExit().join().exitValue();
            return new InstanceEvent.Exited(spec.instanceId(), code, instance.stopped ? "stopped" : "exited with code " + code);
        });
        PortWatch.watch(portWatch, spec.instanceId(), port, () -> ListeningPorts.ofProcessGroup(instance.pid),
                () -> !instance.stopped && !closed && ProcessHandle.of(instance.pid).map(ProcessHandle::isAlive).orElse(false), listener);
        LOG.debug("started instance {} of {} (pid {}, port {})", spec.instanceId(), spec.serviceName(), p.pid(), port);
        return instance;
    }

    /**
     * Follows an instance's output into its log on a thread of its own; once the instance ended and its output was
     * read to the end, reports how it exited.
     */
    private static void follow(LocalInstance instance, InstanceOutput output, InstanceListener listener, BooleanSupplier alive,
                               Supplier<InstanceEvent.Exited> exit) {
        Thread reader = new Thread(() -> {
            output.follow(listener::output, alive);
            listener.onEvent(exit.get());
        }, "slipway-instance-log-" + instance.instanceId());
        reader.setDaemon(true);
        reader.start();
    }

    @Override
    public void stop(InstanceHandle instance, Duration grace) {
        LocalInstance local = instances.remove(instance.instanceId());
        if (local == null) {
            return;
        }
        local.stopped = true;
        ProcessGroups.stop(local.pid, grace);
        registry.unregister(instance.instanceId());
        new InstanceOutput(outputDir, instance.instanceId()).delete();
    }

    @Override
    public void discard(PreparedRevision revision) {
        SourceFetcher.deleteTree(Path.of(revision.location()));
    }

    /** The service's home (its package managers' caches) and its revisions' directory go with it. */
    @Override
    public void forgetService(String serviceId) {
        runAs.ifPresent(r -> SourceFetcher.deleteTree(r.appsDir().resolve("homes").resolve(serviceId)));
        SourceFetcher.deleteTree(workDir.resolve("revisions").resolve(serviceId));
    }

    @Override
    public List<AdoptedInstance> adopt(String controlPlaneId) {
        List<AdoptedInstance> adopted = new ArrayList<>();
        for (ProcessRegistry.Entry e : registry.claim(controlPlaneId)) {
            LocalInstance instance = new LocalInstance(e.id(), e.port(), e.pid());
            instances.put(e.id(), instance);
            adopted.add(new AdoptedInstance(instance, InstanceSpec.fromLabels(e.labels())));
        }
        return adopted;
    }

    /** Follows an adopted instance's output on from where the previous run left it, and reports when it ends. */
    @Override
    public void attach(InstanceHandle handle, InstanceListener listener) {
        LocalInstance instance = (LocalInstance) handle;
        follow(instance, new InstanceOutput(outputDir, instance.instanceId()), listener, () -> ProcessGroups.groupAlive(instance.pid),
                () -> new InstanceEvent.Exited(instance.instanceId(), -1, instance.stopped ? "stopped" : "exited"));
        LOG.debug("re-attached to instance {} (pid {}, port {})", instance.instanceId(), instance.pid, instance.port);
    }

    @Override
    public int reapOrphans() {
        return registry.reapOrphans(Duration.ofSeconds(5));
    }

    @Override
    public void close() {
        closed = true;
        portWatch.shutdownNow();
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
        } catch (IOException | RuntimeException ignored) {
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

    /**
     * From {@code /proc}: the CPU its process group used since the previous call (0 at the first) and its resident
     * memory, against the instance's declared Memory (which the local backend does not enforce).
     */
    @Override
    public Optional<InstanceUsage> usage(InstanceHandle handle) {
        LocalInstance instance = instances.get(handle.instanceId());
        Optional<GroupUsage.Sample> now = instance == null ? Optional.empty() : GroupUsage.of(instance.pid);
        if (now.isEmpty()) {
            return Optional.empty();
        }
        GroupUsage.Sample earlier = instance.lastUsage;
        instance.lastUsage = now.get();
        return Optional.of(new InstanceUsage(earlier == null ? 0 : now.get().cpuSince(earlier), now.get().residentBytes(),
                instance.memoryLimitBytes));
    }

    /** A process group, started here or adopted from an earlier run. */
    private static final class LocalInstance implements InstanceHandle {
        private final String id;
        private final int port;
        private final long pid;
        private volatile boolean stopped;
        private volatile long memoryLimitBytes;
        private volatile GroupUsage.Sample lastUsage;

        LocalInstance(String id, int port, long pid) {
            this.id = id;
            this.port = port;
            this.pid = pid;
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
    }
}
