package dev.slipway.core.testing;

import com.sun.net.httpserver.HttpServer;
import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.spi.AdoptedInstance;
import dev.slipway.core.spi.BackendCapabilities;
import dev.slipway.core.spi.BackendContext;
import dev.slipway.core.spi.BuildListener;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.ComputeBackendProvider;
import dev.slipway.core.spi.InstanceEvent;
import dev.slipway.core.spi.InstanceHandle;
import dev.slipway.core.spi.InstanceListener;
import dev.slipway.core.spi.InstanceSpec;
import dev.slipway.core.spi.PreparedRevision;
import dev.slipway.core.spi.RevisionSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory backend for core's tests: no build runs, and each instance is an HTTP server inside this JVM on a free
 * loopback port, answering {@code <revision-id> <instance-id>} once {@link #slowLatch} is open.
 * Tests crash instances and make starts fail to drive the reconciler. Registered as backend {@code fake}.
 */
public final class FakeBackend implements ComputeBackend {
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    /** Instances started in this backend's life, stopped or not. */
    public final AtomicInteger starts = new AtomicInteger();
    /** How many of the next starts give an instance that exits at once with code 3. */
    public final AtomicInteger failingStarts = new AtomicInteger();
    /** What every request waits for before it is answered (open unless a test closes it). */
    public volatile CountDownLatch slowLatch = new CountDownLatch(0);
    /** What the backend says it does: images and source builds, by default; a test may take some away. */
    public volatile BackendCapabilities capabilities = new BackendCapabilities(true, true, false, false, false, false);
    /** What every build waits for before it ends (open unless a test closes it). */
    public volatile CountDownLatch prepareLatch = new CountDownLatch(0);
    /** Whether builds wait for {@link #prepareLatch} through interrupts, as a build stuck in a blocking read does. */
    public volatile boolean prepareIgnoresInterrupts;
    /** Revisions discarded, and revisions built, by id. */
    public final List<String> discarded = new java.util.concurrent.CopyOnWriteArrayList<>();
    public final List<String> built = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** What every start waits for (open unless a test closes it); {@link #startsWaiting} counts the starts waiting. */
    public volatile CountDownLatch startLatch = new CountDownLatch(0);
    public final AtomicInteger startsWaiting = new AtomicInteger();
    /** Counts down when a request arrives. */
    public volatile CountDownLatch slowArrived = new CountDownLatch(1);

    private record Running(InstanceSpec spec, HttpServer server, InstanceListener listener) implements InstanceHandle {
        @Override
        public String instanceId() {
            return spec.instanceId();
        }

        @Override
        public String host() {
            return "127.0.0.1";
        }

        @Override
        public int port() {
            return server.getAddress().getPort();
        }
    }

    /** The {@code fake} backend's provider. */
    public static final class Provider implements ComputeBackendProvider {
        @Override
        public String name() {
            return "fake";
        }

        @Override
        public ComputeBackend create(BackendContext context) {
            return new FakeBackend();
        }
    }

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public BackendCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public PreparedRevision prepare(RevisionSpec spec, BuildListener listener) throws BuildFailedException {
        listener.progress("nothing to build", 1, 1);
        while (true) {
            try {
                prepareLatch.await();
                break;
            } catch (InterruptedException e) {
                if (!prepareIgnoresInterrupts) {
                    Thread.currentThread().interrupt();
                    throw new BuildFailedException("build interrupted");
                }
            }
        }
        built.add(spec.revisionId());
        return new PreparedRevision(spec.serviceId(), spec.revisionId(), "memory", Map.of(), spec.run());
    }

    @Override
    public InstanceHandle start(PreparedRevision revision, InstanceSpec spec, InstanceListener listener) {
        startsWaiting.incrementAndGet();
        try {
            startLatch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            startsWaiting.decrementAndGet();
        }
        starts.incrementAndGet();
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            slowArrived.countDown();
            try {
                slowLatch.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = (revision.revisionId() + " " + spec.instanceId()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        Running r = new Running(spec, server, listener);
        running.put(spec.instanceId(), r);
        listener.output("started " + spec.instanceId());
        if (failingStarts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            running.remove(spec.instanceId());
            listener.output("failing at once");
            listener.onEvent(new InstanceEvent.Exited(spec.instanceId(), 3, "exited with code 3"));
        } else {
            server.start();
        }
        return r;
    }

    /** Makes a running instance exit with {@code code}, as a crash. */
    public void crash(String instanceId, int code) {
        Running r = running.remove(instanceId);
        if (r == null) {
            return; // stopped meanwhile
        }
        r.server().stop(0);
        r.listener().onEvent(new InstanceEvent.Exited(instanceId, code, "exited with code " + code));
    }

    /** The ids of the instances running now. */
    public List<String> runningIds() {
        return List.copyOf(running.keySet());
    }

    @Override
    public void stop(InstanceHandle instance, Duration grace) {
        Running r = running.remove(instance.instanceId());
        if (r != null) {
            r.server().stop(0);
            r.listener().onEvent(new InstanceEvent.Exited(instance.instanceId(), 143, "stopped"));
        }
    }

    @Override
    public void discard(PreparedRevision revision) {
        discarded.add(revision.revisionId());
    }

    @Override
    public List<AdoptedInstance> adopt(String controlPlaneId) {
        return List.of();
    }

    @Override
    public int reapOrphans() {
        return 0;
    }

    @Override
    public void close() {
        List.copyOf(running.values()).forEach(r -> stop(r, Duration.ZERO));
    }
}
