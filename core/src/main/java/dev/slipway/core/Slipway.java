package dev.slipway.core;

import dev.slipway.core.api.*;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.slipway.core.build.PlanOverrides;
import dev.slipway.core.internal.Arns;
import dev.slipway.core.events.EventListener;
import dev.slipway.core.events.EventRule;
import dev.slipway.core.push.Webhook;
import dev.slipway.core.push.WebhookAnswer;
import dev.slipway.core.push.WebhookDelivery;
import dev.slipway.core.internal.control.*;
import dev.slipway.core.internal.runtime.HealthProbes;
import dev.slipway.core.model.Connection;
import dev.slipway.core.observe.LogListener;
import dev.slipway.core.observe.LogStreams;
import dev.slipway.core.routing.*;
import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.source.SourceUrlPolicy;
import dev.slipway.core.source.RepositoryCredential;
import dev.slipway.core.source.SourceFetcher;
import dev.slipway.core.spi.CertificateAuthority;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.RouteSharing;
import dev.slipway.core.spi.RouterLimits;
import dev.slipway.core.spi.RouterTimeouts;
import dev.slipway.core.internal.store.StateDatabase;
import dev.slipway.core.store.InMemoryStateStore;
import dev.slipway.core.store.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Slipway embedded: the App Runner actions as methods, a compute backend that runs the instances, and a router that
 * serves them at {@code http://<name>-<short-id>.<base-domain>:<router-port>/}.
 *
 * <pre>{@code
 * try (Slipway slipway = Slipway.builder().backend("local").routerPort(0).build()) {
 *     CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder()
 *             .serviceName("hello")
 *             .sourceConfiguration(SourceConfiguration.of(new CodeRepository("file:///path/to/app",
 *                     SourceCodeVersion.branch("main"), CodeConfiguration.fromRepository(), null)))
 *             .build());
 *     created.operation().awaitSuccess(Duration.ofMinutes(5));
 * }
 * }</pre>
 *
 * Long actions return at once with the service in OPERATION_IN_PROGRESS and an {@link Operation} to await.
 * {@link #close()} stops every instance, build and the router.
 */
public final class Slipway implements AutoCloseable {
    private final Path stateDir;
    private final boolean deleteStateDir;
    private final StateDirectoryLock lock;
    private final Timeouts timeouts;
    private final String region;
    private final String accountId;
    private final LogStreams logs;
    private final ComputeBackend backend;
    private final RoutingTable routingTable;
    private final MeterRegistry meters;
    private final HealthProbes probes = new HealthProbes();
    private final ServiceActions services;
    private final ResourceActions resources;
    private final dev.slipway.core.internal.control.PrivateIngress ingress;
    private final Map<String, Integer> privatePorts = new java.util.concurrent.ConcurrentHashMap<>();
    private final dev.slipway.core.internal.control.CustomDomains domains;
    private final RouterControl router;
    private final boolean directPorts;
    private final Map<String, PlanOverrides> servicePlans = new java.util.concurrent.ConcurrentHashMap<>();
    private final Sampling sampling;
    private final AutoDeployments autoDeployments;
    private final EventDispatch events;
    private StateStore store;
    private final boolean ownsStore;
    /** Whether a later run starts on this state again (and takes back its instances and revisions). */
    private final boolean durable;

    private Slipway(Builder b) {
        boolean ownsDir = b.stateDir == null;
        try {
            this.stateDir = ownsDir ? Files.createTempDirectory("slipway-") : dev.slipway.core.internal.PrivateFiles.directory(b.stateDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the state directory", e);
        }
        this.deleteStateDir = ownsDir;
        this.ownsStore = b.stateStore == null;
        this.durable = !ownsDir && (b.durableState || b.stateStore != null); // a later run takes its instances back
        this.lock = StateDirectoryLock.acquire(stateDir);
        this.timeouts = b.timeouts;
        this.meters = b.meters;
        this.routingTable = b.dataPlane != null ? b.dataPlane.table() : new RoutingTable(b.meters, b.admission);
        this.region = b.region;
        this.accountId = b.accountId;
        this.logs = new LogStreams(stateDir.resolve("logs"));
        this.events = new EventDispatch(stateDir.resolve("events"), b.meters);
        io.micrometer.core.instrument.FunctionCounter.builder("slipway.log.lines.lost", logs, LogStreams::lostLines)
                .description("Log lines lost to a full disk; each log says where, with a marker line, once lines fit again")
                .register(b.meters);
        b.listeners.forEach(logs::addListener);
        ComputeBackend loaded = null;
        RouterControl started = null;
        try {
            loaded = b.backendInstance != null ? b.backendInstance
                    : Startup.loadBackend(b.backend, stateDir.resolve("backend-" + b.backend), b.backendSettings, durable);
            this.backend = loaded;
            store = b.stateStore != null ? b.stateStore : b.durableState ? StateDatabase.open(stateDir) : new InMemoryStateStore();
            if (b.keyRing != null) { // services with an EncryptionConfiguration have their logs encrypted with its key
                dev.slipway.core.crypto.KeyRing ring = b.keyRing;
                logs.keys(name -> Optional.of(ring.aead(name)));
            }
            if (b.keyRing != null) { // secret values, tokens and keys are encrypted in whatever store keeps the state
                store = new dev.slipway.core.store.SealedStateStore(store, b.keyRing);
            }
            String controlPlaneId = store.controlPlaneId().orElseGet(() -> Startup.controlPlaneId(stateDir));
            ControlState state = new ControlState(new Arns(b.region, b.accountId), b.quotas, store);
            events.listenTo(state, b.accountId, b.region); // before the state is loaded: a restart's changes are events too
            b.eventListeners.forEach(events::addListener);
            b.eventRules.values().forEach(events::putRule);
            this.services = new ServiceActions(state, new ServiceRuntime(controlPlaneId, backend, routingTable, logs,
                    probes, timeouts, stateDir.resolve("sources"), b.baseDomain,
                    name -> b.planOverrides.and(servicePlans.getOrDefault(name, PlanOverrides.NONE)), b.workingTrees, b.allowedSourceDirectories,
                    b.sourceUrlPolicy, Optional.ofNullable(b.serviceIdSeed), b.instanceCredentials, Optional.ofNullable(b.keyRing),
                    Optional.ofNullable(b.idleBeforeZero)));
            this.resources = new ResourceActions(state, b.idleBeforeZero != null, b.securityGroups);
            this.domains = new dev.slipway.core.internal.control.CustomDomains(state, services, routingTable,
                    Optional.ofNullable(b.certificateAuthority), b.baseDomain, b.clock);
            // a data plane that followed another leader: its routes serve until this one has set its own
            RouteSharing sharing = b.dataPlane != null ? b.dataPlane.takeOver() : null;
            // routes first (those of instances still answering serve at once): no 404, no 503 for what can be served
            Recovery.Restored restored = Recovery.load(store, state, services, backend, controlPlaneId);
            if (b.dataPlane != null) {
                started = b.dataPlane.router();
                routingTable.lead(sharing);
                services.urls().routerPort(started.port());
            } else if (b.routerPort >= 0) {
                started = RouterControl.start(routingTable, b.routerHost, b.routerPort, b.routerTimeouts, b.routerLimits, b.routerTracing);
                services.urls().routerPort(started.port());
            }
            this.router = started;
            this.directPorts = b.directPorts && started != null;
            if (b.dataPlane != null && b.dataPlane.httpsPort().isPresent()) { // it served HTTPS while following
                b.dataPlane.presentCertificates(domains.certificates());
                services.urls().httpsPort(b.dataPlane.httpsPort().get());
            } else if (b.httpsPort >= 0) {
                if (started == null || b.certificateAuthority == null) {
                    throw new IllegalStateException("httpsPort needs a router and a certificateAuthority (the local CA of "
                            + "dev.slipway:slipway-tls, or an ACME directory)");
                }
                services.urls().httpsPort(started.openHttps(b.httpsPort, domains.certificates()));
            }
            RouterControl listening = started;
            for (var l : b.privateListeners.entrySet()) {
                if (started == null) {
                    throw new IllegalStateException("a private listener needs a router");
                }
                Optional<Integer> followed = b.dataPlane == null ? Optional.empty() : b.dataPlane.privateListenerPort(l.getKey());
                privatePorts.put(l.getKey(), followed.orElseGet(() -> listening.openPrivateListener(l.getKey(), l.getValue().getHost(),
                        l.getValue().getPort())));
            }
            RouterControl v6 = started;
            this.ingress = new dev.slipway.core.internal.control.PrivateIngress(state, routingTable, b.privateListeners.keySet(), b.baseDomain,
                    () -> {
                        if (v6 != null && ipv6Port < 0) {
                            ipv6Port = v6.listenOnIpv6();
                        }
                    });
            services.onNetworkChanged(ingress::publish, ingress::serviceDeleted);
            ingress.publish();
            domains.restore();
            Recovery.resume(restored, services, backend);
            this.sampling = new Sampling(services, b.autoscaling, meters, b.clock);
            this.autoDeployments = new AutoDeployments(state, services, new AutoDeployments.Settings(b.pollInterval,
                    b.autoDeploymentsPerHour, Map.copyOf(b.backendSettings)), b.clock);
        } catch (RuntimeException e) {
            if (started != null) {
                started.close();
            }
            if (loaded != null) {
                loaded.close();
            }
            if (store != null && b.stateStore == null) {
                store.close();
            }
            probes.close();
            logs.close();
            events.close();
            lock.close();
            if (ownsDir) {
                SourceFetcher.deleteTree(stateDir);
            }
            throw e;
        }
    }

    /**
     * The push webhook of a service with AutoDeploymentsEnabled: the path on the API port that GitHub, GitLab, Gitea
     * or a Docker registry calls, and the secret they sign with (made on the first call and kept; a new one when
     * {@code rotate}, after which calls signed with the old one are refused).
     */
    public Webhook webhook(String serviceArn, boolean rotate) {
        return autoDeployments.webhook(serviceArn, rotate);
    }

    /**
     * A call of a service's webhook ({@code /webhooks/<serviceId>}), checked against its secret and answered at once: a
     * push to the service's branch (or of its image's tag) schedules a deployment of exactly that commit (or digest).
     */
    public WebhookAnswer receiveWebhook(String serviceId, WebhookDelivery delivery) {
        return autoDeployments.receive(serviceId, delivery);
    }

    /**
     * Also tells {@code listener} of every event from now on: each change of a service's status and each start and end
     * of an operation, shaped as App Runner's EventBridge events, in order per service, once the change is saved.
     */
    public void addEventListener(EventListener listener) {
        events.addListener(listener);
    }

    /**
     * Also tells {@code listener} of every line written to any service's log streams from now on ({@code events},
     * {@code deployment/<operation-id>}, {@code instance/<instance-id>}), as it is written.
     */
    public void addLogListener(LogListener listener) {
        logs.addListener(listener);
    }

    /** The log streams of a service: {@code events}, then its deployments' and its instances', each kind oldest first. */
    public List<String> logStreams(String serviceName) {
        return logs.streams(serviceName);
    }

    /**
     * Adds an event rule, or replaces the rule of its name: the events it matches from now on go to its endpoint (as
     * signed CloudEvents, at least once, in order per service) or its listener. See {@link EventRule}.
     */
    public void putEventRule(EventRule rule) {
        events.putRule(rule);
    }

    /** Removes the event rule {@code name}; events it still owes its endpoint go to the dead-letter file. False if there was none. */
    public boolean removeEventRule(String name) {
        return events.removeRule(name);
    }

    /** The event rules, by name. */
    public List<EventRule> eventRules() {
        return events.rules();
    }

    /** A builder of a Slipway; every setting has a default (local backend, router on 127.0.0.1:9080, a temporary state directory). */
    public static Builder builder() {
        return new Builder();
    }

    /** The port the router listens on, if it runs. */
    public Optional<Integer> routerPort() {
        return Optional.ofNullable(router).map(RouterControl::port);
    }

    /** The port of the router's IPv6 listener, once a DUAL_STACK service opened it. */
    public Optional<Integer> ipv6RouterPort() {
        return ipv6Port < 0 ? Optional.empty() : Optional.of(ipv6Port);
    }

    private volatile int ipv6Port = -1;

    /** The port of the private listener {@code name} ({@link Builder#privateListener}), if there is one. */
    public Optional<Integer> privateListenerPort(String name) {
        return Optional.ofNullable(privatePorts.get(name));
    }

    /** The port of the router's HTTPS listener, if it has one ({@link Builder#httpsPort}). */
    public Optional<Integer> httpsPort() {
        return services.urls().httpsPort();
    }

    /** Run env and port over one service's own from its next deployment on (an extension; this engine's, not in the state). */
    public void overridePlan(String serviceName, PlanOverrides overrides) {
        servicePlans.put(serviceName, overrides);
    }

    /** The routes the router serves now (an immutable snapshot), for diagnostics and tests. */
    public RoutingSnapshot routes() {
        return routingTable.snapshot();
    }

    /**
     * Sets a service's instance count (MinSize sets it at each deployment), while it runs or a deployment rolls out (which
     * carries on with this count); done once healthy and drained, failed if the service stops serving first.
     */
    public CompletableFuture<Void> scaleTo(String serviceArn, int instances) {
        return services.scaleTo(serviceArn, instances);
    }

    /** One autoscaler round now, on the builder's clock (the 2 s timer's work, for tests that move the clock). */
    void autoscaleNow() {
        sampling.autoscaleNow();
    }

    /** The routing table as the router uses it (leases are requests in flight), for tests. */
    dev.slipway.core.routing.RoutingView routing() {
        return routingTable;
    }

    /** The lines of a log stream of a service: {@code events}, {@code deployment/<operation-id>}, {@code instance/<id>}. */
    public List<String> logLines(String serviceName, String stream) {
        return logs.read(serviceName, stream);
    }

    /** The directory holding this instance's logs, sources and backend workspaces. */
    public Path stateDir() {
        return stateDir;
    }

    public CreateServiceResponse createService(CreateServiceRequest request) {
        CreateServiceResponse created = services.createService(request);
        if (directPorts) {
            router.directPort(created.service().serviceUrl());
        }
        return created;
    }

    /** The service's own port on the router's address (opened on first call, closed with the service): no Host header needed. */
    public int directPort(String serviceArn) {
        String url = describeService(new DescribeServiceRequest(serviceArn)).service().serviceUrl();
        return Optional.ofNullable(router).orElseThrow(() -> new IllegalStateException("no router (routerPort(-1))")).directPort(url);
    }

    public DescribeServiceResponse describeService(DescribeServiceRequest request) {
        return services.describeService(request);
    }

    public ListServicesResponse listServices(ListServicesRequest request) {
        return services.listServices(request);
    }

    public UpdateServiceResponse updateService(UpdateServiceRequest request) {
        return services.updateService(request);
    }

    public DeleteServiceResponse deleteService(DeleteServiceRequest request) {
        DeleteServiceResponse deleted = services.deleteService(request);
        if (router != null) {
            router.closeDirectPort(deleted.service().serviceUrl());
        }
        return deleted;
    }

    public PauseServiceResponse pauseService(PauseServiceRequest request) {
        return services.pauseService(request);
    }

    public ResumeServiceResponse resumeService(ResumeServiceRequest request) {
        return services.resumeService(request);
    }

    public StartDeploymentResponse startDeployment(StartDeploymentRequest request) {
        return services.startDeployment(request);
    }

    public ListOperationsResponse listOperations(ListOperationsRequest request) {
        return services.listOperations(request);
    }

    public CreateAutoScalingConfigurationResponse createAutoScalingConfiguration(CreateAutoScalingConfigurationRequest request) {
        return resources.createAutoScalingConfiguration(request);
    }

    public DescribeAutoScalingConfigurationResponse describeAutoScalingConfiguration(DescribeAutoScalingConfigurationRequest request) {
        return resources.describeAutoScalingConfiguration(request);
    }

    public ListAutoScalingConfigurationsResponse listAutoScalingConfigurations(ListAutoScalingConfigurationsRequest request) {
        return resources.listAutoScalingConfigurations(request);
    }

    public DeleteAutoScalingConfigurationResponse deleteAutoScalingConfiguration(DeleteAutoScalingConfigurationRequest request) {
        return resources.deleteAutoScalingConfiguration(request);
    }

    /** Makes the name of the given revision the default for services created without one. */
    public UpdateDefaultAutoScalingConfigurationResponse updateDefaultAutoScalingConfiguration(
            UpdateDefaultAutoScalingConfigurationRequest request) {
        return resources.updateDefaultAutoScalingConfiguration(request);
    }

    /** The ARNs of the services that use a revision. */
    public ListServicesForAutoScalingConfigurationResponse listServicesForAutoScalingConfiguration(
            ListServicesForAutoScalingConfigurationRequest request) {
        return resources.listServicesForAutoScalingConfiguration(request);
    }

    /** A revision of a named observability configuration; one with a TraceConfiguration turns tracing on for the services that use it. */
    public CreateObservabilityConfigurationResponse createObservabilityConfiguration(CreateObservabilityConfigurationRequest request) {
        return resources.createObservabilityConfiguration(request);
    }

    public DescribeObservabilityConfigurationResponse describeObservabilityConfiguration(DescribeObservabilityConfigurationRequest request) {
        return resources.describeObservabilityConfiguration(request);
    }

    public ListObservabilityConfigurationsResponse listObservabilityConfigurations(ListObservabilityConfigurationsRequest request) {
        return resources.listObservabilityConfigurations(request);
    }

    /** Deletes one revision (INACTIVE from then on); refused while a service uses it. */
    public DeleteObservabilityConfigurationResponse deleteObservabilityConfiguration(DeleteObservabilityConfigurationRequest request) {
        return resources.deleteObservabilityConfiguration(request);
    }

    /**
     * A VPC ingress connection: the service reached on the private listener its VpcId names, at a domain name of its own
     * (PENDING_CREATION, then AVAILABLE once the routers serve it).
     */
    public CreateVpcIngressConnectionResponse createVpcIngressConnection(CreateVpcIngressConnectionRequest request) {
        return ingress.create(request);
    }

    public DescribeVpcIngressConnectionResponse describeVpcIngressConnection(DescribeVpcIngressConnectionRequest request) {
        return ingress.describe(request);
    }

    public ListVpcIngressConnectionsResponse listVpcIngressConnections(ListVpcIngressConnectionsRequest request) {
        return ingress.list(request);
    }

    /** Moves a connection to another private listener (PENDING_UPDATE, then AVAILABLE). */
    public UpdateVpcIngressConnectionResponse updateVpcIngressConnection(UpdateVpcIngressConnectionRequest request) {
        return ingress.update(request);
    }

    /** Deletes a connection (PENDING_DELETION, then DELETED): its private listener stops serving the service at once. */
    public DeleteVpcIngressConnectionResponse deleteVpcIngressConnection(DeleteVpcIngressConnectionRequest request) {
        return ingress.delete(request);
    }

    /** A VPC connector: the networks a service's instances reach, and the egress rules applied to them. */
    public CreateVpcConnectorResponse createVpcConnector(CreateVpcConnectorRequest request) {
        return resources.createVpcConnector(request);
    }

    public DescribeVpcConnectorResponse describeVpcConnector(DescribeVpcConnectorRequest request) {
        return resources.describeVpcConnector(request);
    }

    public ListVpcConnectorsResponse listVpcConnectors(ListVpcConnectorsRequest request) {
        return resources.listVpcConnectors(request);
    }

    /** Deletes a VPC connector no service uses (it stays listed as INACTIVE). */
    public DeleteVpcConnectorResponse deleteVpcConnector(DeleteVpcConnectorRequest request) {
        return resources.deleteVpcConnector(request);
    }

    /**
     * Slipway's secret store: secrets and parameters that RuntimeEnvironmentSecrets and apprunner.yaml {@code run.secrets}
     * reference by ARN (the part of AWS Secrets Manager and SSM Parameter Store that App Runner users use).
     */
    public dev.slipway.core.secrets.Secrets secrets() {
        return resources;
    }

    public CreateConnectionResponse createConnection(CreateConnectionRequest request) {
        return resources.createConnection(request);
    }

    public ListConnectionsResponse listConnections(ListConnectionsRequest request) {
        return resources.listConnections(request);
    }

    public DeleteConnectionResponse deleteConnection(DeleteConnectionRequest request) {
        return resources.deleteConnection(request);
    }

    /** Completes a connection's handshake with an access token for its provider (cloning over HTTPS): AVAILABLE. */
    public Connection completeConnectionHandshake(String connectionArn, String token) {
        return resources.completeConnectionHandshake(connectionArn, RepositoryCredential.token(token));
    }

    /** Completes a connection's handshake with an SSH private key (PEM or OpenSSH) for cloning over SSH: AVAILABLE. */
    public Connection completeConnectionHandshakeWithSshKey(String connectionArn, String privateKey) {
        return resources.completeConnectionHandshake(connectionArn, RepositoryCredential.sshKey(privateKey));
    }

    public void tagResource(TagResourceRequest request) {
        resources.tagResource(request);
        domains.publish(); // slipway:https-redirect
    }

    public void untagResource(UntagResourceRequest request) {
        resources.untagResource(request);
        domains.publish();
    }

    public ListTagsForResourceResponse listTagsForResource(ListTagsForResourceRequest request) {
        return resources.listTagsForResource(request);
    }

    /**
     * Associates a domain (a root domain, a subdomain or a wildcard) with a service: CREATING, then ACTIVE once its
     * certificate is issued (at once from a local CA; after the validation records are created, from an ACME directory).
     */
    public AssociateCustomDomainResponse associateCustomDomain(AssociateCustomDomainRequest request) {
        return domains.associate(request);
    }

    /** Stops serving a custom domain and deletes its certificate. */
    public DisassociateCustomDomainResponse disassociateCustomDomain(DisassociateCustomDomainRequest request) {
        return domains.disassociate(request);
    }

    public DescribeCustomDomainsResponse describeCustomDomains(DescribeCustomDomainsRequest request) {
        return domains.describe(request);
    }

    /** Orders a new certificate for an ACTIVE custom domain now; the current one serves until it is issued. */
    public void renewCertificate(String serviceArn, String domainName) {
        domains.renew(serviceArn, domainName);
    }

    /** Per-service meters named as App Runner's CloudWatch metrics (Requests, 2xxStatusResponses, RequestLatency ...). */
    public MeterRegistry meterRegistry() {
        return meters;
    }

    /** The account id in ARNs. */
    public String accountId() {
        return accountId;
    }

    /** The region in ARNs, and the one API requests must be signed for. */
    public String region() {
        return region;
    }

    /**
     * Hands over to the next control plane on the same state (a replica that stops leading; then exit the process):
     * the router drains and closes, and nothing else is touched: instances keep running for the next one to adopt.
     */
    public void handOver() {
        routingTable.stopSharing(); // the followers keep serving the routes as they are, until the next leader sets them
        Optional.ofNullable(router).ifPresent(r -> r.drainAndClose(timeouts.drain()));
    }

    /** Stops draining: no new connections, new requests 503, requests in flight finish (up to the drain timeout), then everything stops. */
    @Override
    public void close() {
        if (router != null) {
            router.drainAndClose(timeouts.drain());
        }
        sampling.close();
        autoDeployments.close();
        domains.close();
        services.close();
        if (!durable) {
            services.discardRevisions(); // no later run takes them back: workspaces and images go
        }
        if (ownsStore) {
            store.close();
        }
        backend.close();
        probes.close();
        logs.close();
        events.close();
        lock.close();
        if (deleteStateDir) {
            SourceFetcher.deleteTree(stateDir);
        }
    }

    /** Configures a {@link Slipway}. */
    public static final class Builder {
        private String backend = "local";
        private ComputeBackend backendInstance;
        private Path stateDir;
        private int routerPort = 9080;
        private String routerHost = "127.0.0.1";
        private String baseDomain = "localhost";
        private String region = "us-east-1";
        private String accountId = "000000000000";
        private Quotas quotas = Quotas.DEFAULT;
        private Timeouts timeouts = Timeouts.DEFAULT;
        private final List<LogListener> listeners = new java.util.ArrayList<>();
        private boolean durableState;
        private StateStore stateStore;
        private PlanOverrides planOverrides = PlanOverrides.NONE;
        private RouterTimeouts routerTimeouts = RouterTimeouts.DEFAULT;
        private RouterLimits routerLimits = RouterLimits.DEFAULT;
        private boolean workingTrees;
        private boolean autoscaling = true;
        private Duration idleBeforeZero;
        private java.time.Clock clock = java.time.Clock.systemUTC();
        private boolean directPorts;
        private MeterRegistry meters = new SimpleMeterRegistry();
        private Admission admission = Admission.DEFAULT;
        private final Map<String, String> backendSettings = new java.util.LinkedHashMap<>();
        private Duration pollInterval = AutoDeployments.Settings.DEFAULT_POLL_INTERVAL;
        private final List<EventListener> eventListeners = new java.util.ArrayList<>();
        private final Map<String, EventRule> eventRules = new java.util.LinkedHashMap<>();
        private int autoDeploymentsPerHour = AutoDeployments.Settings.DEFAULT_PER_HOUR;
        private Optional<List<Path>> allowedSourceDirectories = Optional.empty();
        private SourceUrlPolicy sourceUrlPolicy = SourceUrlPolicy.ANY;
        private DataPlane dataPlane;
        private String serviceIdSeed;
        private int httpsPort = -1;
        private final Map<String, com.google.common.net.HostAndPort> privateListeners = new java.util.LinkedHashMap<>();
        private final java.util.Set<String> securityGroups = new java.util.TreeSet<>();
        private dev.slipway.core.spi.RouterTracing routerTracing = dev.slipway.core.spi.RouterTracing.NONE;
        private dev.slipway.core.spi.InstanceCredentials instanceCredentials = dev.slipway.core.spi.InstanceCredentials.NONE;
        private dev.slipway.core.crypto.KeyRing keyRing;
        private CertificateAuthority certificateAuthority;

        /** The compute backend by name: {@code local} (default). */
        public Builder backend(String name) { this.backend = name; this.backendInstance = null; return this; }

        /** This compute backend (one of your own, or one a test keeps a hand on); {@link Slipway#close()} closes it. */
        public Builder backend(ComputeBackend backend) { this.backendInstance = backend; return this; }

        /** Where logs, sources and workspaces go; by default a temporary directory deleted by close(). */
        public Builder stateDir(Path dir) { this.stateDir = dir; return this; }

        /** The router's port: 9080 by default, 0 for any free port, -1 for no router. */
        public Builder routerPort(int port) { this.routerPort = port; return this; }

        /**
         * Serve through a router started already (instead of starting one on {@link #routerPort}): this Slipway takes it
         * over, with the routes it followed, and publishes its own routes to the sharing it followed (see
         * {@link DataPlane}). Closing this Slipway closes it.
         */
        public Builder dataPlane(DataPlane plane) { this.dataPlane = plane; return this; }

        /**
         * Also serve HTTPS on this port of the router's address (0: a free one; -1, the default: no HTTPS), with the
         * certificates of the {@link #certificateAuthority}: each custom domain's, and each service domain's. Service
         * URLs are then HTTPS addresses.
         */
        public Builder httpsPort(int port) { this.httpsPort = port; return this; }

        /**
         * Defines the security group {@code name}, an egress rule set a VPC connector may name: {@code rules} is one or
         * more {@code CIDR[:PORT[-PORT]]} separated by {@code ;} (see {@link dev.slipway.core.spi.SecurityGroups}).
         *
         * @throws IllegalArgumentException when a rule is not one
         */
        public Builder securityGroup(String name, String rules) {
            dev.slipway.core.spi.SecurityGroups.parse(name, rules);
            securityGroups.add(name);
            return backendSetting(dev.slipway.core.spi.SecurityGroups.SETTING + name, rules);
        }

        /**
         * A private listener of the router named {@code name} (a DNS label) on {@code host:port} (port 0: a free one): it
         * serves the services VPC ingress connections with VpcId {@code name} name, at their domain names, and nothing
         * else; a private service (IsPubliclyAccessible false) is served there only.
         */
        public Builder privateListener(String name, String host, int port) {
            if (!name.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
                throw new IllegalArgumentException("private listener name '" + name + "' must be a DNS label (lower-case letters, "
                        + "digits and hyphens): it is part of its connections' domain names");
            }
            privateListeners.put(name, com.google.common.net.HostAndPort.fromParts(host, port));
            return this;
        }

        /** Where certificates come from: a local CA or an ACME directory ({@code dev.slipway:slipway-tls}). */
        public Builder certificateAuthority(CertificateAuthority authority) { this.certificateAuthority = authority; return this; }

        /** The address the router binds: 127.0.0.1 by default. */
        public Builder routerHost(String host) { this.routerHost = host; return this; }

        /** The domain under which services get {@code <name>-<short-id>.<domain>}: {@code localhost} by default. */
        public Builder baseDomain(String domain) { this.baseDomain = domain; return this; }

        /** The region in ARNs: {@code us-east-1} by default. */
        public Builder region(String region) { this.region = region; return this; }

        /** The 12-digit account id in ARNs: {@code 000000000000} by default. */
        public Builder accountId(String accountId) { this.accountId = accountId; return this; }

        public Builder quotas(Quotas quotas) { this.quotas = quotas; return this; }

        /** How long instances may take to become healthy, requests to drain (also at close()), and instances to stop gracefully. */
        public Builder timeouts(Timeouts timeouts) { this.timeouts = timeouts; return this; }

        /** How long the router waits for a request's headers (408), an idle connection, and an instance's answer (504). */
        public Builder routerTimeouts(RouterTimeouts timeouts) { this.routerTimeouts = timeouts; return this; }

        /** Caps on the router's client connections, in all and per address (default {@link RouterLimits#DEFAULT}). */
        public Builder routerLimits(RouterLimits limits) { this.routerLimits = limits; return this; }

        /** How many requests may wait per service once every instance serves MaxConcurrency, and for how long (then 503). */
        public Builder admission(Admission admission) { this.admission = admission; return this; }

        /** Sees every log line of every service as it is written (deployment progress, instance output). */
        public Builder logListener(LogListener listener) { this.listeners.add(listener); return this; }

        /**
         * Keep everything in {@code <stateDir>/state.db} (SQLite), so a new Slipway there (even after kill -9) has it all
         * back; the {@code state.json} of an earlier Slipway there is taken in and migrated.
         */
        public Builder durableState(boolean durable) { this.durableState = durable; return this; }

        /**
         * Keep the state in {@code store} (e.g. the Kubernetes API, or an {@link InMemoryStateStore} a later Slipway is
         * given again) instead; its control plane id names the instances. The caller closes it.
         */
        public Builder stateStore(StateStore store) { this.stateStore = store; return this; }

        /** Run env and a port that win over every code service's settings (a Slipway extension, {@code up --env/--port}). */
        public Builder planOverrides(PlanOverrides overrides) { this.planOverrides = overrides; return this; }

        /** The only local directories (and what is under them) a RepositoryUrl may name; empty: Git URLs only; unset: any. */
        public Builder allowedSourceDirectories(List<Path> directories) {
            this.allowedSourceDirectories = Optional.of(List.copyOf(directories));
            return this;
        }

        /** Which hosts a RepositoryUrl may name (default {@link SourceUrlPolicy#ANY}; {@code slipway server}: no local ones). */
        public Builder sourceUrlPolicy(SourceUrlPolicy policy) { this.sourceUrlPolicy = policy; return this; }

        /**
         * Derive each service's id from {@code seed} and its name instead of drawing it at random, so that the same
         * service created again (by a later run, e.g. {@code slipway up} of the same source) gets the same id, ARN and
         * URL. Off by default, as in App Runner, where a service created again is a new one.
         */
        public Builder serviceIdSeed(String seed) { this.serviceIdSeed = seed; return this; }

        /** Deploy a local Git working tree as it is (not ignored files), as {@code slipway up DIR} does, not its branch head. */
        public Builder deployWorkingTrees(boolean workingTrees) { this.workingTrees = workingTrees; return this; }

        /** A backend setting {@code <backend>.<key>}, e.g. {@code local.run-as}, {@code docker.base-image.python3} (user guide). */
        public Builder backendSetting(String name, String value) { this.backendSettings.put(name, value); return this; }

        /** Scale services within MinSize..MaxSize by the router's concurrency (default on); off, {@link Slipway#scaleTo} rules. */
        public Builder autoscaling(boolean on) { this.autoscaling = on; return this; }

        /**
         * Allow auto scaling configurations with MinSize 0 (a Slipway extension; App Runner's MinSize is 1 to 25): a
         * service using one stops its last instance after {@code idleBeforeZero} without a request, stays RUNNING, and
         * the next request waits in its admission queue while an instance starts. Off by default.
         */
        public Builder scaleToZero(Duration idleBeforeZero) { this.idleBeforeZero = idleBeforeZero; return this; }

        /** The clock the autoscaler's windows read (tests move their own, and call {@link Slipway#autoscaleNow}). */
        Builder clock(java.time.Clock clock) { this.clock = clock; return this; }

        /** Give every service a port of its own on the router's address at creation (see {@link Slipway#directPort}). */
        public Builder directPorts(boolean on) { this.directPorts = on; return this; }

        /** Where the per-service meters go (default: an in-memory registry; a PrometheusMeterRegistry for /metrics). */
        public Builder meterRegistry(MeterRegistry registry) { this.meters = registry; return this; }

        /**
         * How often the branch of each source service with AutoDeploymentsEnabled (with {@code git ls-remote}) and the
         * tag of each such image service (with the registry's API) are checked for a new commit or digest, give or take
         * 20 %; {@link Duration#ZERO}: never (webhooks only). Default 60 s.
         */
        public Builder pollInterval(Duration interval) {
            if (interval.isNegative()) {
                throw new IllegalArgumentException("pollInterval must be zero (no polling) or positive, not " + interval);
            }
            this.pollInterval = interval;
            return this;
        }

        /** Tells {@code listener} of every event (see {@link Slipway#addEventListener}), from the first. */
        public Builder eventListener(EventListener listener) {
            this.eventListeners.add(listener);
            return this;
        }

        /**
         * Where the router exports the spans of services whose observability configuration turns tracing on (an
         * OTLP/HTTP traces endpoint, e.g. {@code http://127.0.0.1:4318/v1/traces}). Default: none (the trace headers are
         * still passed to instances; spans are dropped).
         */
        public Builder otlpEndpoint(java.net.URI endpoint) {
            this.routerTracing = dev.slipway.core.spi.RouterTracing.otlp(endpoint);
            return this;
        }

        /**
         * What the instances of a service with an InstanceRoleArn get to call with that role's credentials (what
         * {@code slipway server} serves; default: nothing).
         */
        public Builder instanceCredentials(dev.slipway.core.spi.InstanceCredentials provider) {
            this.instanceCredentials = java.util.Objects.requireNonNull(provider);
            return this;
        }

        /**
         * Encrypts the secrets of the stored state (RuntimeEnvironmentSecrets values, connection tokens and SSH keys,
         * certificate keys, webhook secrets) with the key ring's {@link dev.slipway.core.crypto.KeyRing#SLIPWAY} key
         * ({@code slipway server} always does). Default: none (an embedded Slipway's state is in memory or a private file).
         */
        public Builder keyRing(dev.slipway.core.crypto.KeyRing keys) {
            this.keyRing = keys;
            return this;
        }

        /** Adds an event rule from the start (see {@link Slipway#putEventRule}); a later rule of the same name replaces it. */
        public Builder eventRule(EventRule rule) {
            this.eventRules.put(rule.name(), rule);
            return this;
        }

        /** At most this many automatic deployments start per service in any hour (a push storm waits). Default 30. */
        public Builder autoDeploymentsPerHour(int limit) {
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
}
