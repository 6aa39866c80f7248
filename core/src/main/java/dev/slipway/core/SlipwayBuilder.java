package dev.slipway.core;

import dev.slipway.core.build.PlanOverrides;
import dev.slipway.core.events.EventListener;
import dev.slipway.core.events.EventRule;
import dev.slipway.core.internal.control.AutoDeployments;
import dev.slipway.core.observe.LogListener;
import dev.slipway.core.routing.Admission;
import dev.slipway.core.source.SourceUrlPolicy;
import dev.slipway.core.spi.CertificateAuthority;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.RouterLimits;
import dev.slipway.core.spi.RouterTimeouts;
import dev.slipway.core.store.InMemoryStateStore;
import dev.slipway.core.store.StateStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Configures a {@link Slipway}: {@code Slipway.builder()...build()}; every setting has a default. */
public final class SlipwayBuilder {
    // The settings, read by the Slipway they build (and its RouterListeners): package-private, not part of the API.
    String backend = "local";
    ComputeBackend backendInstance;
    Path stateDir;
    int routerPort = 9080;
    String routerHost = "127.0.0.1";
    String baseDomain = "localhost";
    String region = "us-east-1";
    String accountId = "000000000000";
    Quotas quotas = Quotas.DEFAULT;
    Timeouts timeouts = Timeouts.DEFAULT;
    final List<LogListener> listeners = new java.util.ArrayList<>();
    boolean durableState;
    StateStore stateStore;
    PlanOverrides planOverrides = PlanOverrides.NONE;
    RouterTimeouts routerTimeouts = RouterTimeouts.DEFAULT;
    RouterLimits routerLimits = RouterLimits.DEFAULT;
    boolean workingTrees;
    boolean autoscaling = true;
    Duration idleBeforeZero;
    java.time.Clock clock = java.time.Clock.systemUTC();
    boolean directPorts;
    MeterRegistry meters = new SimpleMeterRegistry();
    Admission admission = Admission.DEFAULT;
    final Map<String, String> backendSettings = new java.util.LinkedHashMap<>();
    Duration pollInterval = AutoDeployments.Settings.DEFAULT_POLL_INTERVAL;
    final List<EventListener> eventListeners = new java.util.ArrayList<>();
    final Map<String, EventRule> eventRules = new java.util.LinkedHashMap<>();
    int autoDeploymentsPerHour = AutoDeployments.Settings.DEFAULT_PER_HOUR;
    Optional<List<Path>> allowedSourceDirectories = Optional.empty();
    SourceUrlPolicy sourceUrlPolicy = SourceUrlPolicy.ANY;
    DataPlane dataPlane;
    String serviceIdSeed;
    int httpsPort = -1;
    final Map<String, com.google.common.net.HostAndPort> privateListeners = new java.util.LinkedHashMap<>();
    final java.util.Set<String> securityGroups = new java.util.TreeSet<>();
    dev.slipway.core.spi.RouterTracing routerTracing = dev.slipway.core.spi.RouterTracing.NONE;
    dev.slipway.core.spi.InstanceCredentials instanceCredentials = dev.slipway.core.spi.InstanceCredentials.NONE;
    dev.slipway.core.crypto.KeyRing keyRing;
    CertificateAuthority certificateAuthority;

    SlipwayBuilder() { // Slipway.builder() is the way in
    }

    /** The compute backend by name: {@code local} (default). */
    public SlipwayBuilder backend(String name) { this.backend = name; this.backendInstance = null; return this; }

    /** This compute backend (one of your own, or one a test keeps a hand on); {@link Slipway#close()} closes it. */
    public SlipwayBuilder backend(ComputeBackend backend) { this.backendInstance = backend; return this; }

    /** Where logs, sources and workspaces go; by default a temporary directory deleted by close(). */
    public SlipwayBuilder stateDir(Path dir) { this.stateDir = dir; return this; }

    /** The router's port: 9080 by default, 0 for any free port, -1 for no router. */
    public SlipwayBuilder routerPort(int port) { this.routerPort = port; return this; }

    /**
     * Serve through a router started already (instead of starting one on {@link #routerPort}): this Slipway takes it
     * over, with the routes it followed, and publishes its own routes to the sharing it followed (see
     * {@link DataPlane}). Closing this Slipway closes it.
     */
    public SlipwayBuilder dataPlane(DataPlane plane) { this.dataPlane = plane; return this; }

    /**
     * Also serve HTTPS on this port of the router's address (0: a free one; -1, the default: no HTTPS), with the
     * certificates of the {@link #certificateAuthority}: each custom domain's, and each service domain's. Service
     * URLs are then HTTPS addresses.
     */
    public SlipwayBuilder httpsPort(int port) { this.httpsPort = port; return this; }

    /**
     * Defines the security group {@code name}, an egress rule set a VPC connector may name: {@code rules} is one or
     * more {@code CIDR[:PORT[-PORT]]} separated by {@code ;} (see {@link dev.slipway.core.spi.SecurityGroups}).
     *
     * @throws IllegalArgumentException when a rule is not one
     */
    public SlipwayBuilder securityGroup(String name, String rules) {
        dev.slipway.core.spi.SecurityGroups.parse(name, rules);
        securityGroups.add(name);
        return backendSetting(dev.slipway.core.spi.SecurityGroups.SETTING + name, rules);
    }

    /**
     * A private listener of the router named {@code name} (a DNS label) on {@code host:port} (port 0: a free one): it
     * serves the services VPC ingress connections with VpcId {@code name} name, at their domain names, and nothing
     * else; a private service (IsPubliclyAccessible false) is served there only.
     */
    public SlipwayBuilder privateListener(String name, String host, int port) {
        if (!name.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
            throw new IllegalArgumentException("private listener name '" + name + "' must be a DNS label (lower-case letters, "
                    + "digits and hyphens): it is part of its connections' domain names");
        }
        privateListeners.put(name, com.google.common.net.HostAndPort.fromParts(host, port));
        return this;
    }

    /** Where certificates come from: a local CA or an ACME directory ({@code dev.slipway:slipway-tls}). */
    public SlipwayBuilder certificateAuthority(CertificateAuthority authority) { this.certificateAuthority = authority; return this; }

    /** The address the router binds: 127.0.0.1 by default. */
    public SlipwayBuilder routerHost(String host) { this.routerHost = host; return this; }

    /** The domain under which services get {@code <name>-<short-id>.<domain>}: {@code localhost} by default. */
    public SlipwayBuilder baseDomain(String domain) { this.baseDomain = domain; return this; }

    /** The region in ARNs: {@code us-east-1} by default. */
    public SlipwayBuilder region(String region) { this.region = region; return this; }

    /** The 12-digit account id in ARNs: {@code 000000000000} by default. */
    public SlipwayBuilder accountId(String accountId) { this.accountId = accountId; return this; }

    public SlipwayBuilder quotas(Quotas quotas) { this.quotas = quotas; return this; }

    /** How long instances may take to become healthy, requests to drain (also at close()), and instances to stop gracefully. */
    public SlipwayBuilder timeouts(Timeouts timeouts) { this.timeouts = timeouts; return this; }

    /** How long the router waits for a request's headers (408), an idle connection, and an instance's answer (504). */
    public SlipwayBuilder routerTimeouts(RouterTimeouts timeouts) { this.routerTimeouts = timeouts; return this; }

    /** Caps on the router's client connections, in all and per address (default {@link RouterLimits#DEFAULT}). */
    public SlipwayBuilder routerLimits(RouterLimits limits) { this.routerLimits = limits; return this; }

    /** How many requests may wait per service once every instance serves MaxConcurrency, and for how long (then 503). */
    public SlipwayBuilder admission(Admission admission) { this.admission = admission; return this; }

    /** Sees every log line of every service as it is written (deployment progress, instance output). */
    public SlipwayBuilder logListener(LogListener listener) { this.listeners.add(listener); return this; }

    /**
     * Keep everything in {@code <stateDir>/state.db} (SQLite), so a new Slipway there (even after kill -9) has it all
     * back; the {@code state.json} of an earlier Slipway there is taken in and migrated.
     */
    public SlipwayBuilder durableState(boolean durable) { this.durableState = durable; return this; }

    /**
     * Keep the state in {@code store} (e.g. the Kubernetes API, or an {@link InMemoryStateStore} a later Slipway is
     * given again) instead; its control plane id names the instances. The caller closes it.
     */
    public SlipwayBuilder stateStore(StateStore store) { this.stateStore = store; return this; }

    /** Run env and a port that win over every code service's settings (a Slipway extension, {@code up --env/--port}). */
    public SlipwayBuilder planOverrides(PlanOverrides overrides) { this.planOverrides = overrides; return this; }

    /** The only local directories (and what is under them) a RepositoryUrl may name; empty: Git URLs only; unset: any. */
    public SlipwayBuilder allowedSourceDirectories(List<Path> directories) {
        this.allowedSourceDirectories = Optional.of(List.copyOf(directories));
        return this;
    }

    /** Which hosts a RepositoryUrl may name (default {@link SourceUrlPolicy#ANY}; {@code slipway server}: no local ones). */
    public SlipwayBuilder sourceUrlPolicy(SourceUrlPolicy policy) { this.sourceUrlPolicy = policy; return this; }

    /**
     * Derive each service's id from {@code seed} and its name instead of drawing it at random, so that the same
     * service created again (by a later run, e.g. {@code slipway up} of the same source) gets the same id, ARN and
     * URL. Off by default, as in App Runner, where a service created again is a new one.
     */
    public SlipwayBuilder serviceIdSeed(String seed) { this.serviceIdSeed = seed; return this; }

    /** Deploy a local Git working tree as it is (not ignored files), as {@code slipway up DIR} does, not its branch head. */
    public SlipwayBuilder deployWorkingTrees(boolean workingTrees) { this.workingTrees = workingTrees; return this; }

    /** A backend setting {@code <backend>.<key>}, e.g. {@code local.run-as}, {@code docker.base-image.python3} (user guide). */
    public SlipwayBuilder backendSetting(String name, String value) { this.backendSettings.put(name, value); return this; }

    /** Scale services within MinSize..MaxSize by the router's concurrency (default on); off, {@link Slipway#scaleTo} rules. */
    public SlipwayBuilder autoscaling(boolean on) { this.autoscaling = on; return this; }

    /**
     * Allow auto scaling configurations with MinSize 0 (a Slipway extension; App Runner's MinSize is 1 to 25): a
     * service using one stops its last instance after {@code idleBeforeZero} without a request, stays RUNNING, and
     * the next request waits in its admission queue while an instance starts. Off by default.
     */
    public SlipwayBuilder scaleToZero(Duration idleBeforeZero) { this.idleBeforeZero = idleBeforeZero; return this; }

    /** The clock the autoscaler's windows read (tests move their own, and call {@link Slipway#autoscaleNow}). */
    SlipwayBuilder clock(java.time.Clock clock) { this.clock = clock; return this; }

    /** Give every service a port of its own on the router's address at creation (see {@link Slipway#directPort}). */
    public SlipwayBuilder directPorts(boolean on) { this.directPorts = on; return this; }

    /** Where the per-service meters go (default: an in-memory registry; a PrometheusMeterRegistry for /metrics). */
    public SlipwayBuilder meterRegistry(MeterRegistry registry) { this.meters = registry; return this; }

    /**
     * How often the branch of each source service with AutoDeploymentsEnabled (with {@code git ls-remote}) and the
     * tag of each such image service (with the registry's API) are checked for a new commit or digest, give or take
     * 20 %; {@link Duration#ZERO}: never (webhooks only). Default 60 s.
     */
    public SlipwayBuilder pollInterval(Duration interval) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("pollInterval must be zero (no polling) or positive, not " + interval);
        }
        this.pollInterval = interval;
        return this;
    }

    /** Tells {@code listener} of every event (see {@link Slipway#addEventListener}), from the first. */
    public SlipwayBuilder eventListener(EventListener listener) {
        this.eventListeners.add(listener);
        return this;
    }

    /**
     * Where the router exports the spans of services whose observability configuration turns tracing on (an
     * OTLP/HTTP traces endpoint, e.g. {@code http://127.0.0.1:4318/v1/traces}). Default: none (the trace headers are
     * still passed to instances; spans are dropped).
     */
    public SlipwayBuilder otlpEndpoint(java.net.URI endpoint) {
        this.routerTracing = dev.slipway.core.spi.RouterTracing.otlp(endpoint);
        return this;
    }

    /**
     * What the instances of a service with an InstanceRoleArn get to call with that role's credentials (what
     * {@code slipway server} serves; default: nothing).
     */
    public SlipwayBuilder instanceCredentials(dev.slipway.core.spi.InstanceCredentials provider) {
        this.instanceCredentials = java.util.Objects.requireNonNull(provider);
        return this;
    }

    /**
     * Encrypts the secrets of the stored state (RuntimeEnvironmentSecrets values, connection tokens and SSH keys,
     * certificate keys, webhook secrets) with the key ring's {@link dev.slipway.core.crypto.KeyRing#SLIPWAY} key
     * ({@code slipway server} always does). Default: none (an embedded Slipway's state is in memory or a private file).
     */
    public SlipwayBuilder keyRing(dev.slipway.core.crypto.KeyRing keys) {
        this.keyRing = keys;
        return this;
    }

    /** Adds an event rule from the start (see {@link Slipway#putEventRule}); a later rule of the same name replaces it. */
    public SlipwayBuilder eventRule(EventRule rule) {
        this.eventRules.put(rule.name(), rule);
        return this;
    }

    /** At most this many automatic deployments start per service in any hour (a push storm waits). Default 30. */
    public SlipwayBuilder autoDeploymentsPerHour(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("autoDeploymentsPerHour must be at least 1, not " + limit);
        }
        this.autoDeploymentsPerHour = limit;
        return this;
    }

    public Slipway build() {
        if (durableState && stateDir == null) {
            throw new IllegalArgumentException("durableState needs a stateDir to keep the state in");
        }
        if (!accountId.matches("[0-9]{12}")) {
            throw new IllegalArgumentException("accountId must be 12 digits, not " + accountId);
        }
        return new Slipway(this);
    }
}
