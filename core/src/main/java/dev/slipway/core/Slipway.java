package dev.slipway.core;

import dev.slipway.core.api.*;
import io.micrometer.core.instrument.MeterRegistry;
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
import dev.slipway.core.source.RepositoryCredential;
import dev.slipway.core.source.SourceFetcher;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.RouteSharing;
import dev.slipway.core.internal.store.StateDatabase;
import dev.slipway.core.store.InMemoryStateStore;
import dev.slipway.core.store.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    private final dev.slipway.core.internal.control.CustomDomains domains;
    private final RouterListeners listeners;
    private final Map<String, PlanOverrides> servicePlans = new java.util.concurrent.ConcurrentHashMap<>();
    private final Sampling sampling;
    private final AutoDeployments autoDeployments;
    private final EventDispatch events;
    private StateStore store;
    private final boolean ownsStore;
    /** Whether a later run starts on this state again (and takes back its instances and revisions). */
    private final boolean durable;

    Slipway(SlipwayBuilder b) {
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
        RouterListeners opened = null;
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
            this.listeners = opened = RouterListeners.open(b, routingTable, sharing, services.urls(), domains::certificates);
            this.ingress = new dev.slipway.core.internal.control.PrivateIngress(state, routingTable, b.privateListeners.keySet(),
                    b.baseDomain, listeners::listenOnIpv6);
            services.onNetworkChanged(ingress::publish, ingress::serviceDeleted);
            ingress.publish();
            domains.restore();
            Recovery.resume(restored, services, backend);
            this.sampling = new Sampling(services, b.autoscaling, meters, b.clock);
            this.autoDeployments = new AutoDeployments(state, services, new AutoDeployments.Settings(b.pollInterval,
                    b.autoDeploymentsPerHour, Map.copyOf(b.backendSettings)), b.clock);
        } catch (RuntimeException e) {
            if (opened != null) {
                opened.close();
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
    public static SlipwayBuilder builder() {
        return new SlipwayBuilder();
    }

    /** The port the router listens on, if it runs. */
    public Optional<Integer> routerPort() {
        return listeners.routerPort();
    }

    /** The port of the router's IPv6 listener, once a DUAL_STACK service opened it. */
    public Optional<Integer> ipv6RouterPort() {
        return listeners.ipv6Port();
    }

    /** The port of the private listener {@code name} ({@link SlipwayBuilder#privateListener}), if there is one. */
    public Optional<Integer> privateListenerPort(String name) {
        return listeners.privateListenerPort(name);
    }

    /** The port of the router's HTTPS listener, if it has one ({@link SlipwayBuilder#httpsPort}). */
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
        listeners.serviceCreated(created.service().serviceUrl());
        return created;
    }

    /** The service's own port on the router's address (opened on first call, closed with the service): no Host header needed. */
    public int directPort(String serviceArn) {
        String url = describeService(new DescribeServiceRequest(serviceArn)).service().serviceUrl();
        return listeners.directPort(url);
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
        listeners.serviceDeleted(deleted.service().serviceUrl());
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
        listeners.drainAndClose(timeouts.drain());
    }

    /** Stops draining: no new connections, new requests 503, requests in flight finish (up to the drain timeout), then everything stops. */
    @Override
    public void close() {
        listeners.drainAndClose(timeouts.drain());
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
}
