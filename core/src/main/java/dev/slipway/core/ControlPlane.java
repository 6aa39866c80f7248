package dev.slipway.core;

import dev.slipway.core.api.*;
import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.build.BuildPlan;
import dev.slipway.core.build.BuildPlans;
import dev.slipway.core.internal.Arns;
import dev.slipway.core.lifecycle.DeploymentLog;
import dev.slipway.core.lifecycle.ServiceAction;
import dev.slipway.core.lifecycle.ServiceLifecycle;
import dev.slipway.core.lifecycle.ServiceRuntime;
import dev.slipway.core.model.*;
import dev.slipway.core.observe.LogStreams;
import dev.slipway.core.routing.RoutingTable;
import dev.slipway.core.scaling.AutoScalingConfigurations;
import dev.slipway.core.source.FetchedSource;
import dev.slipway.core.source.HostKeyPins;
import dev.slipway.core.source.RepositoryCredential;
import dev.slipway.core.source.SourceFetcher;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.PreparedRevision;
import dev.slipway.core.spi.RevisionSpec;
import dev.slipway.core.store.ControlPlaneState;
import dev.slipway.core.store.StateStore;
import dev.slipway.core.validation.ShapeValidator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The App Runner actions: validation, quotas, the status machine, and the asynchronous operations that drive the
 * backend. State changes happen under one lock; long work (fetch, build, start, drain) runs on operation threads.
 */
final class ControlPlane implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);
    private static final ShapeValidator VALIDATOR = ShapeValidator.instance();

    private final Arns arns;
    private final Quotas quotas;
    private final ComputeBackend backend;
    private final RoutingTable routing;
    private final LogStreams logs;
    private final Path sourcesDir;
    private final String baseDomain;
    private final ServiceRuntime.Timeouts timeouts;
    private final StateStore store;
    private volatile int routerPort;
    private final SourceFetcher fetcher = new SourceFetcher();
    private final AutoScalingConfigurations autoScaling;
    private final Map<String, ManagedService> services = new LinkedHashMap<>();
    private final Map<String, StoredConnection> connections = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> tags = new HashMap<>();
    private final ExecutorService operations = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "slipway-operation");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService health = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "slipway-health");
        t.setDaemon(true);
        return t;
    });

    /** A service and everything Slipway keeps about it. */
    private static final class ManagedService {
        final String name;
        final String id;
        final String arn;
        final String host;
        final Instant createdAt;
        Instant updatedAt;
        ServiceStatus status = ServiceStatus.OPERATION_IN_PROGRESS;
        /** Starting again after a restart of Slipway: shown as OPERATION_IN_PROGRESS, like App Runner's maintenance. */
        boolean maintenance;
        /** The settings before the update in progress, if one is. */
        ControlPlaneState.ServiceSpec rollback;
        SourceConfiguration source;
        InstanceConfiguration instance;
        HealthCheckConfiguration health;
        NetworkConfiguration network;
        EncryptionConfiguration encryption;
        ServiceObservabilityConfiguration observability;
        String autoScalingArn;
        final List<Operation> operations = new ArrayList<>();
        ServiceRuntime runtime;

        ControlPlaneState.ServiceSpec spec() {
            return new ControlPlaneState.ServiceSpec(source, instance, health, network, observability, autoScalingArn);
        }

        void apply(ControlPlaneState.ServiceSpec spec) {
            source = spec.source();
            instance = spec.instance();
            health = spec.health();
            network = spec.network();
            observability = spec.observability();
            autoScalingArn = spec.autoScalingArn();
        }

        ManagedService(String name, String id, String arn, String host, Instant createdAt) {
            this.name = name;
            this.id = id;
            this.arn = arn;
            this.host = host;
            this.createdAt = createdAt;
            this.updatedAt = createdAt;
        }
    }

    /** A connection and its handshake secret. */
    private static final class StoredConnection {
        Connection connection;
        RepositoryCredential credential;
        HostKeyPins hostKeys = new HostKeyPins(Map.of());

        StoredConnection(Connection connection) {
            this.connection = connection;
        }
    }

    ControlPlane(String region, String accountId, Quotas quotas, ComputeBackend backend, RoutingTable routing,
                 LogStreams logs, Path sourcesDir, String baseDomain, ServiceRuntime.Timeouts timeouts, StateStore store) {
        this.store = store;
        this.arns = new Arns(region, accountId);
        this.quotas = quotas;
        this.backend = backend;
        this.routing = routing;
        this.logs = logs;
        this.sourcesDir = sourcesDir;
        this.baseDomain = baseDomain;
        this.timeouts = timeouts;
        this.autoScaling = new AutoScalingConfigurations(arns, quotas.autoScalingConfigurationNames(), quotas.revisionsPerName());
    }

    void routerPort(int port) {
        this.routerPort = port;
    }

    // ---------------------------------------------------------------- services

    CreateServiceResponse createService(CreateServiceRequest request) {
        VALIDATOR.validate("CreateServiceRequest", request);
        checkSource(request.sourceConfiguration(), "sourceConfiguration");
        Operation op;
        ManagedService s;
        synchronized (this) {
            if (services.values().stream().anyMatch(x -> x.name.equals(request.serviceName()))) {
                throw new InvalidRequestException("A service named " + request.serviceName()
                        + " already exists; choose another ServiceName or delete that service");
            }
            if (services.size() >= quotas.services()) {
                throw new ServiceQuotaExceededException("You have reached the quota of " + quotas.services()
                        + " services (failed ones count too); delete a service before creating another");
            }
            checkConnection(request.sourceConfiguration());
            String ascArn = request.autoScalingConfigurationArn() != null
                    ? autoScaling.resolveArn(request.autoScalingConfigurationArn(), "autoScalingConfigurationArn")
                    : autoScaling.defaultConfiguration(a -> false).autoScalingConfigurationArn();
            String id = UUID.randomUUID().toString().replace("-", "");
            String host = request.serviceName().toLowerCase(Locale.ROOT).replace('_', '-') + "-" + id.substring(0, 6) + "." + baseDomain;
            s = new ManagedService(request.serviceName(), id, arns.service(request.serviceName(), id), host, Instant.now());
            s.source = withDefaults(request.sourceConfiguration());
            s.instance = request.instanceConfiguration() != null ? merge(InstanceConfiguration.DEFAULT, request.instanceConfiguration()) : InstanceConfiguration.DEFAULT;
            s.health = (request.healthCheckConfiguration() != null ? request.healthCheckConfiguration() : HealthCheckConfiguration.DEFAULT).withDefaults();
            s.network = request.networkConfiguration() != null ? request.networkConfiguration() : NetworkConfiguration.DEFAULT;
            s.encryption = request.encryptionConfiguration();
            s.observability = request.observabilityConfiguration() != null ? request.observabilityConfiguration() : new ServiceObservabilityConfiguration(false, null);
            s.autoScalingArn = ascArn;
            ManagedService managed = s;
            s.runtime = new ServiceRuntime(s.name, host, backend, routing, logs, health, timeouts, () -> managed.health);
            services.put(s.arn, s);
            if (request.tags() != null) {
                tags.put(s.arn, toMap(request.tags()));
            }
            op = newOperation(s, OperationType.CREATE_SERVICE);
        }
        s.runtime.showUnavailable("Service " + s.name + " is being created. Try again when its status is RUNNING.");
        ManagedService created = s;
        run(s, op, 5, log -> deployFromSource(created, log));
        return new CreateServiceResponse(describe(s), op.id(), op);
    }

    DescribeServiceResponse describeService(DescribeServiceRequest request) {
        VALIDATOR.validate("DescribeServiceRequest", request);
        synchronized (this) {
            return new DescribeServiceResponse(describe(find(request.serviceArn())));
        }
    }

    synchronized ListServicesResponse listServices(ListServicesRequest request) {
        VALIDATOR.validate("ListServicesRequest", request);
        List<ServiceSummary> all = services.values().stream().map(s -> ServiceSummary.of(describe(s))).toList();
        Page<ServiceSummary> page = page(all, request.maxResults(), request.nextToken(), 20);
        return new ListServicesResponse(page.items, page.nextToken);
    }

    UpdateServiceResponse updateService(UpdateServiceRequest request) {
        VALIDATOR.validate("UpdateServiceRequest", request);
        Operation op;
        ManagedService s;
        Runnable rollback;
        boolean rebuild;
        synchronized (this) {
            s = find(request.serviceArn());
            check(s, ServiceAction.UPDATE);
            SourceConfiguration source = s.source;
            if (request.sourceConfiguration() != null) {
                SourceConfiguration next = withDefaults(merge(s.source, request.sourceConfiguration()));
                checkSource(next, "sourceConfiguration");
                if ((next.codeRepository() != null) != (s.source.codeRepository() != null)) {
                    throw new InvalidRequestException("sourceConfiguration cannot switch a service between a code "
                            + "repository and an image repository; create a new service instead");
                }
                checkConnection(next);
                source = next;
            }
            String asc = request.autoScalingConfigurationArn() != null
                    ? autoScaling.resolveArn(request.autoScalingConfigurationArn(), "autoScalingConfigurationArn") : s.autoScalingArn;
            ControlPlaneState.ServiceSpec previous = s.spec();
            rebuild = !source.equals(previous.source());
            s.source = source;
            if (request.instanceConfiguration() != null) {
                s.instance = merge(s.instance, request.instanceConfiguration());
            }
            if (request.healthCheckConfiguration() != null) {
                s.health = request.healthCheckConfiguration().withDefaults();
            }
            if (request.networkConfiguration() != null) {
                s.network = request.networkConfiguration();
            }
            if (request.observabilityConfiguration() != null) {
                s.observability = request.observabilityConfiguration();
            }
            s.autoScalingArn = asc;
            s.rollback = previous; // saved with the operation, so a crash mid-update rolls back at the next start
            ManagedService target = s;
            rollback = () -> {
                synchronized (this) {
                    target.apply(previous);
                    persist();
                }
            };
            op = newOperation(s, OperationType.UPDATE_SERVICE);
        }
        ManagedService updated = s;
        boolean fromSource = rebuild || s.runtime.currentRevision().isEmpty();
        run(s, op, fromSource ? 5 : 2, log -> {
            try {
                if (fromSource) {
                    deployFromSource(updated, log);
                } else {
                    PreparedRevision current = updated.runtime.currentRevision().orElseThrow();
                    updated.runtime.deploy(current, desiredCount(updated), instanceEnv(current.plan()), log);
                }
            } catch (BuildFailedException | RuntimeException e) {
                rollback.run();
                throw e;
            }
        });
        return new UpdateServiceResponse(describe(s), op.id(), op);
    }

    StartDeploymentResponse startDeployment(StartDeploymentRequest request) {
        VALIDATOR.validate("StartDeploymentRequest", request);
        Operation op;
        ManagedService s;
        synchronized (this) {
            s = find(request.serviceArn());
            check(s, ServiceAction.START_DEPLOYMENT);
            op = newOperation(s, OperationType.START_DEPLOYMENT);
        }
        ManagedService target = s;
        run(s, op, 5, log -> deployFromSource(target, log));
        return new StartDeploymentResponse(op.id(), op);
    }

    PauseServiceResponse pauseService(PauseServiceRequest request) {
        VALIDATOR.validate("PauseServiceRequest", request);
        Operation op;
        ManagedService s;
        synchronized (this) {
            s = find(request.serviceArn());
            check(s, ServiceAction.PAUSE);
            op = newOperation(s, OperationType.PAUSE_SERVICE);
        }
        ManagedService target = s;
        run(s, op, 1, log -> {
            log.step("Pausing: answering 503, draining requests in flight, stopping instances");
            target.runtime.pause(log);
        });
        return new PauseServiceResponse(describe(s), op.id(), op);
    }

    ResumeServiceResponse resumeService(ResumeServiceRequest request) {
        VALIDATOR.validate("ResumeServiceRequest", request);
        Operation op;
        ManagedService s;
        synchronized (this) {
            s = find(request.serviceArn());
            check(s, ServiceAction.RESUME);
            op = newOperation(s, OperationType.RESUME_SERVICE);
        }
        ManagedService target = s;
        run(s, op, 2, log -> {
            PreparedRevision revision = target.runtime.currentRevision().orElseThrow(
                    () -> new BuildFailedException("the service has no deployed revision to resume"));
            target.runtime.deploy(revision, desiredCount(target), instanceEnv(revision.plan()), log);
        });
        return new ResumeServiceResponse(describe(s), op.id(), op);
    }

    DeleteServiceResponse deleteService(DeleteServiceRequest request) {
        VALIDATOR.validate("DeleteServiceRequest", request);
        Operation op;
        ManagedService s;
        synchronized (this) {
            s = find(request.serviceArn());
            check(s, ServiceAction.DELETE);
            op = newOperation(s, OperationType.DELETE_SERVICE);
        }
        ManagedService target = s;
        Service before = describe(s);
        run(s, op, 1, log -> {
            log.step("Deleting: removing the route, draining requests in flight, stopping instances");
            target.runtime.delete(log);
            synchronized (this) {
                services.remove(target.arn);
                tags.remove(target.arn);
                persist();
            }
        });
        return new DeleteServiceResponse(before, op.id(), op);
    }

    ListOperationsResponse listOperations(ListOperationsRequest request) {
        VALIDATOR.validate("ListOperationsRequest", request);
        synchronized (this) {
            ManagedService s = find(request.serviceArn());
            List<OperationSummary> all = s.operations.stream().map(Operation::summary).toList();
            Page<OperationSummary> page = page(all, request.maxResults(), request.nextToken(), 20);
            return new ListOperationsResponse(page.items, page.nextToken);
        }
    }

    // ---------------------------------------------------------------- auto scaling configurations

    synchronized CreateAutoScalingConfigurationResponse createAutoScalingConfiguration(CreateAutoScalingConfigurationRequest r) {
        VALIDATOR.validate("CreateAutoScalingConfigurationRequest", r);
        AutoScalingConfiguration c = autoScaling.create(r.autoScalingConfigurationName(), r.maxConcurrency(),
                r.minSize(), r.maxSize(), inUse());
        if (r.tags() != null) {
            tags.put(c.autoScalingConfigurationArn(), toMap(r.tags()));
        }
        persist();
        return new CreateAutoScalingConfigurationResponse(c);
    }

    synchronized DescribeAutoScalingConfigurationResponse describeAutoScalingConfiguration(DescribeAutoScalingConfigurationRequest r) {
        VALIDATOR.validate("DescribeAutoScalingConfigurationRequest", r);
        return new DescribeAutoScalingConfigurationResponse(autoScaling.describe(r.autoScalingConfigurationArn(), inUse()));
    }

    synchronized ListAutoScalingConfigurationsResponse listAutoScalingConfigurations(ListAutoScalingConfigurationsRequest r) {
        VALIDATOR.validate("ListAutoScalingConfigurationsRequest", r);
        List<AutoScalingConfigurationSummary> all = autoScaling.list(Optional.ofNullable(r.autoScalingConfigurationName()),
                r.latestOnly() == null || r.latestOnly(), inUse()).stream().map(AutoScalingConfiguration::summary).toList();
        Page<AutoScalingConfigurationSummary> page = page(all, r.maxResults(), r.nextToken(), 100);
        return new ListAutoScalingConfigurationsResponse(page.items, page.nextToken);
    }

    synchronized DeleteAutoScalingConfigurationResponse deleteAutoScalingConfiguration(DeleteAutoScalingConfigurationRequest r) {
        VALIDATOR.validate("DeleteAutoScalingConfigurationRequest", r);
        AutoScalingConfiguration c = autoScaling.delete(r.autoScalingConfigurationArn(),
                Boolean.TRUE.equals(r.deleteAllRevisions()), inUse());
        tags.remove(c.autoScalingConfigurationArn());
        persist();
        return new DeleteAutoScalingConfigurationResponse(c);
    }

    synchronized UpdateDefaultAutoScalingConfigurationResponse updateDefaultAutoScalingConfiguration(
            UpdateDefaultAutoScalingConfigurationRequest r) {
        VALIDATOR.validate("UpdateDefaultAutoScalingConfigurationRequest", r);
        AutoScalingConfiguration made = autoScaling.makeDefault(r.autoScalingConfigurationArn(), inUse());
        persist();
        return new UpdateDefaultAutoScalingConfigurationResponse(made);
    }

    synchronized ListServicesForAutoScalingConfigurationResponse listServicesForAutoScalingConfiguration(
            ListServicesForAutoScalingConfigurationRequest r) {
        VALIDATOR.validate("ListServicesForAutoScalingConfigurationRequest", r);
        String resolved = autoScaling.resolveArn(r.autoScalingConfigurationArn(), "autoScalingConfigurationArn");
        List<String> all = services.values().stream().filter(s -> s.autoScalingArn.equals(resolved)).map(s -> s.arn).toList();
        Page<String> page = page(all, r.maxResults(), r.nextToken(), 100);
        return new ListServicesForAutoScalingConfigurationResponse(page.items, page.nextToken);
    }

    private Predicate<String> inUse() {
        return arn -> services.values().stream().anyMatch(s -> s.autoScalingArn.equals(arn));
    }

    // ---------------------------------------------------------------- connections

    synchronized CreateConnectionResponse createConnection(CreateConnectionRequest r) {
        VALIDATOR.validate("CreateConnectionRequest", r);
        if (connections.values().stream().anyMatch(c -> c.connection.connectionName().equals(r.connectionName()))) {
            throw new InvalidRequestException("A connection named " + r.connectionName() + " already exists");
        }
        if (connections.size() >= quotas.connections()) {
            throw new ServiceQuotaExceededException("You have reached the quota of " + quotas.connections()
                    + " connections; delete one before creating another");
        }
        String arn = arns.connection(r.connectionName(), UUID.randomUUID().toString().replace("-", ""));
        Connection c = new Connection(r.connectionName(), arn, r.providerType(), ConnectionStatus.PENDING_HANDSHAKE, Instant.now());
        connections.put(arn, new StoredConnection(c));
        if (r.tags() != null) {
            tags.put(arn, toMap(r.tags()));
        }
        persist();
        return new CreateConnectionResponse(c);
    }

    synchronized ListConnectionsResponse listConnections(ListConnectionsRequest r) {
        VALIDATOR.validate("ListConnectionsRequest", r);
        List<ConnectionSummary> all = connections.values().stream().map(c -> c.connection)
                .filter(c -> r.connectionName() == null || c.connectionName().equals(r.connectionName()))
                .map(ConnectionSummary::of).toList();
        Page<ConnectionSummary> page = page(all, r.maxResults(), r.nextToken(), 100);
        return new ListConnectionsResponse(page.items, page.nextToken);
    }

    synchronized DeleteConnectionResponse deleteConnection(DeleteConnectionRequest r) {
        VALIDATOR.validate("DeleteConnectionRequest", r);
        StoredConnection c = findConnection(r.connectionArn(), "connectionArn");
        List<String> users = services.values().stream().filter(s -> s.source.authenticationConfiguration() != null
                && r.connectionArn().equals(s.source.authenticationConfiguration().connectionArn())).map(s -> s.name).toList();
        if (!users.isEmpty()) {
            throw new InvalidRequestException("Connection " + c.connection.connectionName() + " is used by service(s) "
                    + users + "; delete them or update them to another connection first");
        }
        connections.remove(r.connectionArn());
        tags.remove(r.connectionArn());
        persist();
        Connection old = c.connection;
        return new DeleteConnectionResponse(new Connection(old.connectionName(), old.connectionArn(), old.providerType(),
                ConnectionStatus.DELETED, old.createdAt()));
    }

    /** Completes a connection's handshake with an access token or SSH key: it becomes AVAILABLE. */
    synchronized Connection completeConnectionHandshake(String connectionArn, RepositoryCredential credential) {
        StoredConnection c = findConnection(connectionArn, "connectionArn");
        if (credential.secret() == null || credential.secret().isBlank()) {
            throw new InvalidRequestException((credential.kind() == RepositoryCredential.Kind.TOKEN ? "The token" : "The SSH key")
                    + " must not be empty");
        }
        if (credential.kind() == RepositoryCredential.Kind.SSH_KEY && !credential.secret().contains("PRIVATE KEY-----")) {
            throw new InvalidRequestException("The SSH key must be a private key in PEM or OpenSSH format "
                    + "(-----BEGIN ... PRIVATE KEY-----), not a public key or a path");
        }
        c.credential = new RepositoryCredential(credential.kind(), credential.secret().strip());
        Connection old = c.connection;
        c.connection = new Connection(old.connectionName(), old.connectionArn(), old.providerType(), ConnectionStatus.AVAILABLE, old.createdAt());
        persist();
        return c.connection;
    }

    private StoredConnection findConnection(String arn, String field) {
        arns.parts(arn, "connection", field);
        StoredConnection c = connections.get(arn);
        if (c == null) {
            throw new ResourceNotFoundException("No connection " + arn);
        }
        return c;
    }

    private void checkConnection(SourceConfiguration source) {
        if (source.authenticationConfiguration() == null || source.authenticationConfiguration().connectionArn() == null) {
            return;
        }
        StoredConnection c = findConnection(source.authenticationConfiguration().connectionArn(),
                "sourceConfiguration.authenticationConfiguration.connectionArn");
        if (c.connection.status() != ConnectionStatus.AVAILABLE) {
            throw new InvalidRequestException("Connection " + c.connection.connectionName() + " is "
                    + c.connection.status() + "; complete its handshake before a service uses it");
        }
    }

    // ---------------------------------------------------------------- tags

    synchronized void tagResource(TagResourceRequest r) {
        VALIDATOR.validate("TagResourceRequest", r);
        requireResource(r.resourceArn());
        tags.computeIfAbsent(r.resourceArn(), k -> new LinkedHashMap<>()).putAll(toMap(r.tags()));
        persist();
    }

    synchronized void untagResource(UntagResourceRequest r) {
        VALIDATOR.validate("UntagResourceRequest", r);
        requireResource(r.resourceArn());
        Map<String, String> t = tags.get(r.resourceArn());
        if (t != null) {
            r.tagKeys().forEach(t::remove);
            persist();
        }
    }

    synchronized ListTagsForResourceResponse listTagsForResource(ListTagsForResourceRequest r) {
        VALIDATOR.validate("ListTagsForResourceRequest", r);
        requireResource(r.resourceArn());
        return new ListTagsForResourceResponse(tags.getOrDefault(r.resourceArn(), Map.of()).entrySet().stream()
                .map(e -> new Tag(e.getKey(), e.getValue())).toList());
    }

    private void requireResource(String arn) {
        String type = arns.typeOf(arn, "resourceArn");
        boolean exists = switch (type) {
            case "service" -> services.containsKey(arn);
            case "connection" -> connections.containsKey(arn);
            case "autoscalingconfiguration" -> autoScaling.exists(arn);
            default -> throw new InvalidRequestException("resourceArn '" + arn + "' names a " + type
                    + ", which Slipway does not tag; tag services, connections and auto scaling configurations");
        };
        if (!exists) {
            throw new ResourceNotFoundException("No resource " + arn);
        }
    }

    // ---------------------------------------------------------------- deployments

    /** A step body of an operation. */
    private interface OperationBody {
        void run(DeploymentLog log) throws Exception;
    }

    private Operation newOperation(ManagedService s, OperationType type) {
        Operation op = new Operation(type, s.arn);
        s.operations.add(0, op);
        s.status = ServiceStatus.OPERATION_IN_PROGRESS;
        s.updatedAt = Instant.now();
        persist();
        return op;
    }

    private void run(ManagedService s, Operation op, int steps, OperationBody body) {
        DeploymentLog log = new DeploymentLog(logs.sink(s.name, "deployment/" + op.id()), steps);
        var events = logs.sink(s.name, "events");
        operations.execute(() -> {
            Thread.currentThread().setName("slipway-operation-" + s.name);
            op.markInProgress();
            events.line(op.type() + " operation " + op.id() + " started");
            log.line(op.type() + " " + op.id() + " started for service " + s.name);
            LOG.info("service {}: {} operation {} started", s.name, op.type(), op.id());
            String failure = null;
            try {
                body.run(log);
            } catch (Exception e) {
                failure = e instanceof BuildFailedException || e instanceof SlipwayException
                        ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
                if (!(e instanceof BuildFailedException)) {
                    LOG.error("service {}: {} operation {} failed", s.name, op.type(), op.id(), e);
                }
            }
            ServiceStatus after = ServiceLifecycle.statusAfter(op.type(), failure == null);
            if (failure == null) {
                log.line(op.type() + " completed successfully. Service status is " + after);
            } else {
                log.line(op.type() + " failed: " + failure);
                if (after == ServiceStatus.RUNNING && op.type() != OperationType.CREATE_SERVICE) {
                    log.line("The previous revision keeps serving.");
                }
                if (op.type() == OperationType.CREATE_SERVICE) {
                    s.runtime.showUnavailable("Service " + s.name + " failed to be created: see its deployment log.");
                }
            }
            events.line(op.type() + " operation " + op.id() + (failure == null ? " succeeded" : " failed")
                    + "; service status is " + after);
            LOG.info("service {}: {} operation {} {}", s.name, op.type(), op.id(), failure == null ? "succeeded" : "failed: " + failure);
            if (after == ServiceStatus.DELETED) {
                s.runtime.close();
                logs.closeService(s.name);
            }
            synchronized (this) {
                s.status = after;
                s.updatedAt = Instant.now();
                s.rollback = null;
                op.end(failure == null ? OperationStatus.SUCCEEDED : OperationStatus.FAILED, failure);
                if (after != ServiceStatus.DELETED) {
                    persist();
                }
            }
        });
    }

    /** Fetch, configure, build, then blue/green deploy. */
    private void deployFromSource(ManagedService s, DeploymentLog log) throws BuildFailedException {
        SourceConfiguration source;
        synchronized (this) {
            source = s.source;
        }
        CodeRepository code = source.codeRepository();
        if (code == null) {
            throw new BuildFailedException("the " + backend.name() + " backend cannot run image sources yet");
        }
        Optional<StoredConnection> connection;
        synchronized (this) {
            connection = Optional.ofNullable(source.authenticationConfiguration()).map(AuthenticationConfiguration::connectionArn)
                    .map(connections::get);
        }
        Optional<RepositoryCredential> credential = connection.map(c -> c.credential);
        HostKeyPins hostKeys = connection.map(c -> c.hostKeys).orElseGet(() -> new HostKeyPins(Map.of()));
        String revisionId = "r" + Instant.now().toEpochMilli() + "-" + UUID.randomUUID().toString().substring(0, 8);
        Path checkout = sourcesDir.resolve(s.id).resolve(revisionId);
        PreparedRevision revision;
        try {
            log.step("Pulling source code from " + code.repositoryUrl());
            FetchedSource fetched = fetcher.fetch(code, credential, hostKeys, checkout, log::line);
            if (connection.isPresent()) {
                synchronized (this) {
                    persist(); // keeps a newly pinned SSH host key
                }
            }
            log.step("Reading the build configuration ("
                    + (code.codeConfiguration() == null ? ConfigurationSource.REPOSITORY : code.codeConfiguration().configurationSource()) + ")");
            BuildPlan plan = BuildPlans.resolve(code.codeConfiguration(), fetched.root());
            log.line("Runtime " + plan.runtime() + plan.runtimeVersion().map(v -> " " + v).orElse("")
                    + ", start command: " + plan.startCommand());
            log.step("Building the application (" + plan.allBuildCommands().size() + " command"
                    + (plan.allBuildCommands().size() == 1 ? "" : "s") + ")");
            revision = backend.prepare(new RevisionSpec(s.name, s.id, revisionId, fetched.root(), plan), log.build());
            log.line("Build succeeded" + fetched.commitId().map(c -> " for commit " + c).orElse(""));
        } finally {
            SourceFetcher.deleteTree(checkout);
        }
        try {
            s.runtime.deploy(revision, desiredCount(s), instanceEnv(revision.plan()), log);
        } catch (BuildFailedException | RuntimeException e) {
            if (s.runtime.currentRevision().map(r -> !r.revisionId().equals(revision.revisionId())).orElse(true)) {
                backend.discard(revision);
            }
            throw e;
        }
    }

    private synchronized int desiredCount(ManagedService s) {
        return autoScaling.describe(s.autoScalingArn, a -> false).minSize();
    }

    private static Map<String, String> instanceEnv(BuildPlan plan) {
        Map<String, String> env = new LinkedHashMap<>(plan.runEnv());
        env.putAll(plan.runSecrets());
        return env;
    }

    // ---------------------------------------------------------------- state

    /** Saves the whole state; called under the lock after every change. */
    private synchronized void persist() {
        List<ControlPlaneState.ServiceState> saved = services.values().stream().map(s -> new ControlPlaneState.ServiceState(
                s.name, s.id, s.arn, s.host, s.createdAt, s.updatedAt, s.status, s.source, s.instance, s.health, s.network,
                s.encryption, s.observability, s.autoScalingArn, s.rollback,
                s.operations.stream().map(o -> new ControlPlaneState.OperationState(o.summary(), o.failureReason().orElse(null))).toList(),
                s.runtime.currentRevision().orElse(null))).toList();
        Map<String, Map<String, String>> savedTags = new LinkedHashMap<>();
        tags.forEach((arn, t) -> savedTags.put(arn, new LinkedHashMap<>(t)));
        store.save(new ControlPlaneState(ControlPlaneState.VERSION, saved,
                connections.values().stream().map(c -> new ControlPlaneState.ConnectionState(c.connection, c.credential, c.hostKeys.snapshot())).toList(),
                autoScaling.export(), savedTags));
    }

    /**
     * Reads the saved state back: every service, operation, connection, configuration and tag. Running services start
     * their deployed revision again (no build, no new operation); an operation the previous run did not finish is
     * ended as FAILED, leaving the status its failure leads to.
     */
    synchronized void restore() {
        Optional<ControlPlaneState> loaded = store.load();
        if (loaded.isEmpty()) {
            return;
        }
        ControlPlaneState state = loaded.get();
        autoScaling.restore(state.autoScaling());
        for (ControlPlaneState.ConnectionState c : state.connections()) {
            StoredConnection stored = new StoredConnection(c.connection());
            stored.credential = c.credential();
            stored.hostKeys = new HostKeyPins(c.sshHostKeys() == null ? Map.of() : c.sshHostKeys());
            connections.put(c.connection().connectionArn(), stored);
        }
        state.tags().forEach((arn, t) -> tags.put(arn, new LinkedHashMap<>(t)));
        for (ControlPlaneState.ServiceState saved : state.services()) {
            ManagedService s = new ManagedService(saved.name(), saved.id(), saved.arn(), saved.host(), saved.createdAt());
            s.updatedAt = saved.updatedAt();
            s.source = saved.source();
            s.instance = saved.instance();
            s.health = saved.health();
            s.network = saved.network();
            s.encryption = saved.encryption();
            s.observability = saved.observability();
            s.autoScalingArn = saved.autoScalingArn();
            saved.operations().forEach(o -> s.operations.add(Operation.restored(o.summary(), o.failureReason())));
            boolean interrupted = saved.status() == ServiceStatus.OPERATION_IN_PROGRESS && !s.operations.isEmpty();
            s.status = interrupted ? ServiceLifecycle.statusAfter(s.operations.get(0).type(), false) : saved.status();
            if (interrupted && saved.rollback() != null) {
                s.apply(saved.rollback()); // an update the crash interrupted changes nothing, as a failed one
            }
            s.runtime = new ServiceRuntime(s.name, s.host, backend, routing, logs, health, timeouts, () -> s.health);
            services.put(s.arn, s);
            Optional<PreparedRevision> revision = Optional.ofNullable(saved.revision());
            revision.ifPresent(s.runtime::adopt);
            if (s.status == ServiceStatus.PAUSED) {
                s.runtime.showPaused();
            } else if (s.status == ServiceStatus.RUNNING && revision.isPresent()) {
                restart(s, revision.get());
            } else {
                s.runtime.showUnavailable("Service " + s.name + " is " + s.status + "; see its events and deployment logs.");
            }
        }
        persist();
        LOG.info("restored {} service(s), {} connection(s) from the state store", services.size(), connections.size());
    }

    /** Starts a restored running service's revision again, as it was before the restart. */
    private void restart(ManagedService s, PreparedRevision revision) {
        var events = logs.sink(s.name, "events");
        s.runtime.showUnavailable("Service " + s.name + " is starting again after a restart of Slipway. Try again shortly.");
        s.maintenance = true;
        operations.execute(() -> {
            events.line("Slipway restarted: starting revision " + revision.revisionId() + " again (no new deployment)");
            try {
                s.runtime.deploy(revision, desiredCount(s), instanceEnv(revision.plan()), new DeploymentLog(events, 2));
                events.line("Serving again after the restart");
            } catch (BuildFailedException | RuntimeException e) {
                events.line("Could not start the service again after the restart: " + e.getMessage());
                LOG.warn("service {}: could not start again after a restart: {}", s.name, e.getMessage());
            }
            synchronized (this) {
                s.maintenance = false;
                s.updatedAt = Instant.now();
            }
        });
    }

    // ---------------------------------------------------------------- helpers

    /** The status machine's verdict, with maintenance after a restart counting as an operation in progress. */
    private static void check(ManagedService s, ServiceAction action) {
        if (s.maintenance && action.isMutating()) {
            throw new InvalidStateException("Service " + s.name + " is starting again after a restart of Slipway (status "
                    + "OPERATION_IN_PROGRESS); try again when its status is RUNNING.");
        }
        ServiceLifecycle.check(s.name, s.status, action);
    }

    private ManagedService find(String arn) {
        arns.parts(arn, "service", "serviceArn");
        ManagedService s = services.get(arn);
        if (s == null) {
            throw new ResourceNotFoundException("No service " + arn);
        }
        return s;
    }

    private Service describe(ManagedService s) {
        synchronized (this) {
            AutoScalingConfigurationSummary asc = autoScaling.exists(s.autoScalingArn)
                    ? autoScaling.describe(s.autoScalingArn, inUse()).summary() : null;
            ServiceStatus shown = s.maintenance ? ServiceStatus.OPERATION_IN_PROGRESS : s.status;
            return new Service(s.name, s.id, s.arn, url(s), s.createdAt, s.updatedAt, null, shown, s.source,
                    s.instance, s.encryption, s.health, asc, s.network, s.observability);
        }
    }

    private String url(ManagedService s) {
        return routerPort == 80 || routerPort <= 0 ? s.host : s.host + ":" + routerPort;
    }

    private void checkSource(SourceConfiguration source, String field) {
        if ((source.codeRepository() == null) == (source.imageRepository() == null)) {
            throw new InvalidRequestException(field + " must have exactly one of codeRepository and imageRepository");
        }
        CodeRepository code = source.codeRepository();
        if (code != null) {
            CodeConfiguration cc = code.codeConfiguration();
            if (cc != null && cc.configurationSource() == ConfigurationSource.API && cc.codeConfigurationValues() == null) {
                throw new InvalidRequestException(field + ".codeRepository.codeConfiguration.codeConfigurationValues is "
                        + "required when configurationSource is API");
            }
            if (cc != null && cc.codeConfigurationValues() != null && cc.codeConfigurationValues().port() != null) {
                try {
                    dev.slipway.core.source.AppRunnerYaml.parsePort(cc.codeConfigurationValues().port(),
                            field + ".codeRepository.codeConfiguration.codeConfigurationValues.port ");
                } catch (RuntimeException e) {
                    throw new InvalidRequestException(e.getMessage());
                }
            }
        } else if (!backend.supportsImages()) {
            throw new InvalidRequestException(field + ".imageRepository: the " + backend.name()
                    + " backend runs source code only; use a backend that runs container images (docker) or a codeRepository");
        }
    }

    private static SourceConfiguration withDefaults(SourceConfiguration s) {
        return new SourceConfiguration(s.codeRepository(), s.imageRepository(),
                s.autoDeploymentsEnabled() != null ? s.autoDeploymentsEnabled() : Boolean.TRUE, s.authenticationConfiguration());
    }

    private static SourceConfiguration merge(SourceConfiguration old, SourceConfiguration update) {
        return new SourceConfiguration(
                update.codeRepository() != null ? update.codeRepository() : update.imageRepository() != null ? null : old.codeRepository(),
                update.imageRepository() != null ? update.imageRepository() : update.codeRepository() != null ? null : old.imageRepository(),
                update.autoDeploymentsEnabled() != null ? update.autoDeploymentsEnabled() : old.autoDeploymentsEnabled(),
                update.authenticationConfiguration() != null ? update.authenticationConfiguration() : old.authenticationConfiguration());
    }

    private static InstanceConfiguration merge(InstanceConfiguration old, InstanceConfiguration update) {
        return new InstanceConfiguration(
                update.cpu() != null ? update.cpu() : old.cpu(),
                update.memory() != null ? update.memory() : old.memory(),
                update.instanceRoleArn() != null ? update.instanceRoleArn() : old.instanceRoleArn());
    }

    private static Map<String, String> toMap(List<Tag> list) {
        Map<String, String> m = new LinkedHashMap<>();
        list.forEach(t -> m.put(t.key(), Objects.requireNonNullElse(t.value(), "")));
        return m;
    }

    private record Page<T>(List<T> items, String nextToken) {
    }

    private static <T> Page<T> page(List<T> all, Integer maxResults, String nextToken, int defaultSize) {
        int start = 0;
        if (nextToken != null && !nextToken.isEmpty()) {
            try {
                start = Integer.parseInt(new String(Base64.getUrlDecoder().decode(nextToken), StandardCharsets.UTF_8).replace("offset:", ""));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("nextToken '" + nextToken + "' is not a token this API returned; "
                        + "pass the NextToken of the previous page unchanged");
            }
            if (start < 0 || start > all.size()) {
                throw new InvalidRequestException("nextToken is out of date; list again from the first page");
            }
        }
        int size = maxResults != null ? maxResults : defaultSize;
        int end = Math.min(all.size(), start + size);
        String next = end < all.size()
                ? Base64.getUrlEncoder().withoutPadding().encodeToString(("offset:" + end).getBytes(StandardCharsets.UTF_8)) : null;
        return new Page<>(List.copyOf(all.subList(start, end)), next);
    }

    @Override
    public void close() {
        List<ManagedService> all;
        synchronized (this) {
            all = new ArrayList<>(services.values());
        }
        operations.shutdownNow();
        all.forEach(s -> s.runtime.close());
        health.shutdownNow();
        try {
            operations.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
