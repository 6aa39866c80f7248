package dev.slipway.backend.k8s;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.core.routing.RoutingSnapshot;
import dev.slipway.core.spi.RouteSharing;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's routes shared through the cluster, so that every replica of {@code slipway server} serves them. The
 * leader writes what its router serves into the ConfigMap {@code <name>-routes} (gzipped JSON under
 * {@code routes.json.gz}, numbered by the annotation {@code slipway.dev/generation}), at most every 100 ms however
 * often the routes change. Each follower watches it and applies each generation, and keeps a Lease of its own,
 * {@code <name>-router-<identity>}, renewed every 2 s, whose annotations say the generation it applied and drained
 * ({@code slipway.dev/applied}) and its peak concurrency per service ({@code slipway.dev/peaks}). Before an instance
 * stops, the leader waits (up to the drain timeout) until every follower whose Lease is live has applied and drained a
 * generation without it; its autoscaler adds the followers' peaks to its own.
 */
public final class KubernetesRouteSharing implements RouteSharing {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesRouteSharing.class);
    /** On the routes ConfigMap and the followers' Leases: the name of the control plane's state. */
    static final String ROUTES = "slipway.dev/routes";
    static final String GENERATION = "slipway.dev/generation";
    static final String APPLIED = "slipway.dev/applied";
    static final String PEAKS = "slipway.dev/peaks";
    private static final String DATA = "routes.json.gz";
    private static final int LEASE_SECONDS = 10;
    private static final Duration HEARTBEAT = Duration.ofSeconds(2);
    private static final long WRITE_EVERY_MS = 100;
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final String identity;
    private final Duration drain;
    private final ScheduledExecutorService ticks;
    private final ExecutorService drains;
    private final Object changed = new Object();

    // leader
    private final AtomicReference<RoutingSnapshot> pending = new AtomicReference<>();
    private final AtomicLong requested = new AtomicLong();
    /** Guarded by {@link #changed}: the publish request and the generation written last (-1: none known yet). */
    private long writtenRequest;
    private long generation = -1;
    private ScheduledFuture<?> writer;
    private SharedIndexInformer<Lease> followers;
    private final Map<String, Report> reports = new ConcurrentHashMap<>();

    // follower
    private volatile Follower follower;
    private SharedIndexInformer<ConfigMap> routes;
    private ScheduledFuture<?> heartbeat;
    private volatile long applied;
    private volatile long acked;

    /**
     * @param name     the control plane's state name (its Secrets and Lease are named after it too)
     * @param identity this replica's name (its pod's name)
     * @param drain    how long a follower lets its requests to removed endpoints finish before it confirms anyway
     */
    public KubernetesRouteSharing(KubernetesClient client, String namespace, String name, String identity, Duration drain) {
        this.client = client;
        this.namespace = namespace;
        this.name = PodSpecs.dnsLabel(name, 40);
        this.identity = identity;
        this.drain = drain;
        this.ticks = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "slipway-route-sharing"));
        this.drains = Executors.newSingleThreadExecutor(r -> daemon(r, "slipway-route-drains"));
    }

    /** What a follower's Lease said last. */
    private record Report(String holder, ZonedDateTime expires, long applied, Map<String, Integer> peaks) {
        boolean live() {
            return expires.isAfter(ZonedDateTime.now(ZoneOffset.UTC));
        }
    }

    // ---- leader ----------------------------------------------------------------------------------------------

    @Override
    public void publish(RoutingSnapshot snapshot) {
        pending.set(snapshot);
        requested.incrementAndGet();
        synchronized (this) {
            if (writer == null) {
                followers = client.leases().inNamespace(namespace).withLabel(ROUTES, name).inform(new Reports());
                writer = ticks.scheduleWithFixedDelay(this::write, 0, WRITE_EVERY_MS, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void write() {
        long request = requested.get();
        RoutingSnapshot snapshot = pending.getAndSet(null);
        if (snapshot == null) {
            return;
        }
        try {
            long next;
            synchronized (changed) {
                next = generation + 1;
            }
            if (next == 0) { // numbering goes on from the previous leader's
                ConfigMap previous = client.configMaps().inNamespace(namespace).withName(configMapName()).get();
                next = (previous == null ? 0 : generation(previous)) + 1;
            }
            ConfigMap map = new ConfigMapBuilder().withNewMetadata().withName(configMapName()).withNamespace(namespace)
                    .addToLabels(PodSpecs.MANAGED_BY, PodSpecs.SLIPWAY).addToLabels(ROUTES, name)
                    .addToAnnotations(GENERATION, Long.toString(next)).endMetadata()
                    .addToBinaryData(DATA, Base64.getEncoder().encodeToString(encode(snapshot))).build();
            client.configMaps().inNamespace(namespace).resource(map).createOr(NonDeletingOperation::update);
            synchronized (changed) {
                generation = next;
                writtenRequest = request;
                changed.notifyAll();
            }
        } catch (KubernetesClientException e) {
            pending.compareAndSet(null, snapshot); // written at the next tick, unless newer routes came meanwhile
            LOG.warn("cannot write the routes into ConfigMap {} ({}); trying again", configMapName(), e.getMessage());
        }
    }

    @Override
    public boolean awaitFollowers(Duration timeout) throws InterruptedException {
        long target = requested.get();
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (changed) {
            while (writtenRequest < target) {
                if (!waitUntil(deadline)) {
                    LOG.warn("the routes were not written into ConfigMap {} within {}s", configMapName(), timeout.toSeconds());
                    return false;
                }
            }
            long written = generation;
            while (true) {
                List<String> lagging = reports.values().stream().filter(r -> r.live() && r.applied() < written && !r.holder().equals(identity))
                        .map(Report::holder).toList();
                if (lagging.isEmpty()) {
                    return true;
                }
                if (!waitUntil(deadline)) {
                    LOG.warn("the routers of {} did not confirm routes generation {} within {}s", lagging, written, timeout.toSeconds());
                    return false;
                }
            }
        }
    }

    /** Waits on {@link #changed} (at most 1 s at a time: Leases expire without an event); false once the deadline passed. */
    private boolean waitUntil(long deadline) throws InterruptedException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        TimeUnit.NANOSECONDS.timedWait(changed, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
        return true;
    }

    @Override
    public int followersPeak(String serviceId) {
        return reports.values().stream().filter(r -> r.live() && !r.holder().equals(identity))
                .mapToInt(r -> r.peaks().getOrDefault(serviceId, 0)).sum();
    }

    /** Keeps {@link #reports} as the followers' Leases say, and wakes {@link #awaitFollowers}. */
    private final class Reports implements ResourceEventHandler<Lease> {
        @Override
        public void onAdd(Lease lease) {
            onUpdate(null, lease);
        }

        @Override
        public void onUpdate(Lease before, Lease lease) {
            try {
                Map<String, String> a = lease.getMetadata().getAnnotations() == null ? Map.of() : lease.getMetadata().getAnnotations();
                ZonedDateTime renewed = lease.getSpec().getRenewTime();
                int seconds = lease.getSpec().getLeaseDurationSeconds() == null ? LEASE_SECONDS : lease.getSpec().getLeaseDurationSeconds();
                Map<String, Integer> peaks = JSON.readValue(a.getOrDefault(PEAKS, "{}"), new TypeReference<>() { });
                reports.put(lease.getMetadata().getName(), new Report(String.valueOf(lease.getSpec().getHolderIdentity()),
                        renewed == null ? ZonedDateTime.now(ZoneOffset.UTC) : renewed.plusSeconds(seconds),
                        Long.parseLong(a.getOrDefault(APPLIED, "0")), peaks));
            } catch (IOException | RuntimeException e) {
                LOG.warn("ignoring the router Lease {}: {}", lease.getMetadata().getName(), e.toString());
            }
            wake();
        }

        @Override
        public void onDelete(Lease lease, boolean unknownFinalState) {
            reports.remove(lease.getMetadata().getName());
            wake();
        }
    }

    private void wake() {
        synchronized (changed) {
            changed.notifyAll();
        }
    }

    // ---- follower --------------------------------------------------------------------------------------------

    @Override
    public synchronized void follow(Follower f) {
        follower = f;
        renew(); // the leader waits for this router from before it serves a route
        routes = client.configMaps().inNamespace(namespace).withLabel(ROUTES, name).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ConfigMap map) {
                received(map);
            }

            @Override
            public void onUpdate(ConfigMap before, ConfigMap map) {
                received(map);
            }

            @Override
            public void onDelete(ConfigMap map, boolean unknownFinalState) {
            }
        });
        heartbeat = ticks.scheduleWithFixedDelay(this::renewQuietly, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void received(ConfigMap map) {
        Follower f = follower;
        if (f == null || !map.getMetadata().getName().equals(configMapName())) {
            return;
        }
        long g = generation(map);
        if (g <= applied) {
            return;
        }
        try {
            f.apply(decode(Base64.getDecoder().decode(map.getBinaryData().get(DATA))));
        } catch (RuntimeException e) {
            LOG.warn("cannot read the routes of ConfigMap {} generation {}: {}", configMapName(), g, e.toString());
            return;
        }
        applied = g;
        synchronized (changed) {
            generation = Math.max(generation, g); // if this replica leads next, it numbers on from here
        }
        drains.execute(() -> {
            long now = applied;
            try {
                if (!f.awaitDrained(drain)) {
                    LOG.warn("requests to instances no longer routed still in flight after {}s; confirming routes {} anyway",
                            drain.toSeconds(), now);
                }
            } catch (InterruptedException e) {
                return;
            }
            acked = Math.max(acked, now);
            renewQuietly();
        });
    }

    private void renewQuietly() {
        try {
            renew();
        } catch (RuntimeException e) {
            LOG.warn("cannot renew router Lease {}: {}", leaseName(), e.toString());
        }
    }

    /** Writes this follower's Lease: live for 10 s more, the generation it confirms, its peaks since the last renewal. */
    private synchronized void renew() {
        Follower f = follower;
        if (f == null) {
            return;
        }
        Map<String, Integer> peaks = new java.util.TreeMap<>(f.samplePeaks());
        peaks.values().removeIf(p -> p == 0);
        String peaksJson;
        try {
            peaksJson = JSON.writeValueAsString(peaks);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Lease lease = new LeaseBuilder().withNewMetadata().withName(leaseName()).withNamespace(namespace)
                .addToLabels(PodSpecs.MANAGED_BY, PodSpecs.SLIPWAY).addToLabels(ROUTES, name)
                .addToAnnotations(APPLIED, Long.toString(acked)).addToAnnotations(PEAKS, peaksJson).endMetadata()
                .withNewSpec().withHolderIdentity(identity).withLeaseDurationSeconds(LEASE_SECONDS)
                .withRenewTime(ZonedDateTime.now(ZoneOffset.UTC)).endSpec().build();
        client.leases().inNamespace(namespace).resource(lease).createOr(NonDeletingOperation::update);
    }

    @Override
    public synchronized void stopFollowing() {
        if (follower == null) {
            return;
        }
        follower = null;
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
        if (routes != null) {
            routes.close();
        }
        try {
            client.leases().inNamespace(namespace).withName(leaseName()).delete();
        } catch (KubernetesClientException e) {
            LOG.warn("cannot delete router Lease {} (it expires in {}s): {}", leaseName(), LEASE_SECONDS, e.getMessage());
        }
    }

    @Override
    public void close() {
        stopFollowing();
        synchronized (this) {
            if (followers != null) {
                followers.close();
            }
        }
        ticks.shutdownNow();
        drains.shutdownNow();
    }

    // ---- names and encoding ----------------------------------------------------------------------------------

    private String configMapName() {
        return name + "-routes";
    }

    private String leaseName() {
        return PodSpecs.dnsLabel(name + "-router-" + identity, 253);
    }

    private static long generation(ConfigMap map) {
        Map<String, String> a = map.getMetadata().getAnnotations();
        return a == null ? 0 : Long.parseLong(a.getOrDefault(GENERATION, "0"));
    }

    static byte[] encode(RoutingSnapshot snapshot) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            JSON.writeValue(gzip, snapshot);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static RoutingSnapshot decode(byte[] gzipped) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            return JSON.readValue(in, RoutingSnapshot.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
