package dev.slipway.core.internal.control;

import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.InvalidStateException;
import dev.slipway.core.ResourceNotFoundException;
import dev.slipway.core.internal.Arns;
import dev.slipway.core.internal.store.StoredIngressConnections;
import dev.slipway.core.model.IngressVpcConfiguration;
import dev.slipway.core.model.ListVpcIngressConnectionsFilter;
import dev.slipway.core.model.VpcIngressConnection;
import dev.slipway.core.model.VpcIngressConnectionStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * VPC ingress connections: each reaches one service on one of the server's private listeners (its VpcId), at a domain
 * name of its own ({@code <service's label>.<VpcId>.<base domain>}); at most one live connection per service, names
 * unique among live ones. PENDING_CREATION (or PENDING_UPDATE) until the routers serve it, then AVAILABLE;
 * PENDING_DELETION until they stop, then DELETED. Not thread-safe: the writer changes its own copy.
 */
public final class IngressConnections {
    private static final Set<VpcIngressConnectionStatus> CHANGEABLE = EnumSet.of(VpcIngressConnectionStatus.AVAILABLE,
            VpcIngressConnectionStatus.FAILED_CREATION, VpcIngressConnectionStatus.FAILED_UPDATE);
    private static final Set<VpcIngressConnectionStatus> DELETABLE = EnumSet.of(VpcIngressConnectionStatus.AVAILABLE,
            VpcIngressConnectionStatus.FAILED_CREATION, VpcIngressConnectionStatus.FAILED_UPDATE, VpcIngressConnectionStatus.FAILED_DELETION);
    /** The statuses in which the routers serve a connection. */
    private static final Set<VpcIngressConnectionStatus> SERVED = EnumSet.of(VpcIngressConnectionStatus.PENDING_CREATION,
            VpcIngressConnectionStatus.AVAILABLE, VpcIngressConnectionStatus.PENDING_UPDATE);

    private final Arns arns;
    private final List<StoredIngressConnections.Connection> connections = new ArrayList<>();

    public IngressConnections(Arns arns) {
        this.arns = arns;
    }

    /**
     * A new connection to the service {@code serviceArn} (whose domain is {@code serviceHost}) on the private listener
     * its VpcId names (one of {@code listeners}, with the base domain {@code baseDomain}).
     */
    public VpcIngressConnection create(String name, String serviceArn, String serviceHost, IngressVpcConfiguration config,
                                       Set<String> listeners, String baseDomain) {
        checkConfig(config, listeners);
        live().filter(c -> c.name().equals(name)).findFirst().ifPresent(c -> {
            throw new InvalidRequestException("VPC ingress connection " + name + " exists already (" + c.arn() + "); choose another "
                    + "VpcIngressConnectionName");
        });
        live().filter(c -> c.serviceArn().equals(serviceArn)).findFirst().ifPresent(c -> {
            throw new InvalidStateException("Service " + serviceArn + " has VPC ingress connection " + c.arn() + " already; a "
                    + "service has one: update it (UpdateVpcIngressConnection) to reach it elsewhere");
        });
        StoredIngressConnections.Connection c = new StoredIngressConnections.Connection(name,
                arns.vpcIngressConnection(name, UUID.randomUUID().toString().replace("-", "")), serviceArn,
                VpcIngressConnectionStatus.PENDING_CREATION.name(), domain(serviceHost, config.vpcId(), baseDomain), config.vpcId(),
                config.vpcEndpointId(), Instant.now(), null);
        connections.add(c);
        return view(c);
    }

    /** Moves the connection to the private listener {@code config} names: PENDING_UPDATE. */
    public VpcIngressConnection update(String arn, IngressVpcConfiguration config, String serviceHost, Set<String> listeners,
                                       String baseDomain) {
        StoredIngressConnections.Connection c = find(arn);
        if (!CHANGEABLE.contains(status(c))) {
            throw new InvalidStateException("VPC ingress connection " + arn + " is " + c.status() + "; it can be updated when "
                    + "AVAILABLE, FAILED_CREATION or FAILED_UPDATE");
        }
        checkConfig(config, listeners);
        return view(replace(c, new StoredIngressConnections.Connection(c.name(), c.arn(), c.serviceArn(),
                VpcIngressConnectionStatus.PENDING_UPDATE.name(), domain(serviceHost, config.vpcId(), baseDomain), config.vpcId(),
                config.vpcEndpointId(), c.createdAt(), null)));
    }

    /** Starts deleting the connection: PENDING_DELETION (the routers stop serving it at once). */
    public VpcIngressConnection delete(String arn) {
        StoredIngressConnections.Connection c = find(arn);
        if (!DELETABLE.contains(status(c))) {
            throw new InvalidStateException("VPC ingress connection " + arn + " is " + c.status() + "; it can be deleted when "
                    + "AVAILABLE or FAILED_*");
        }
        return view(replace(c, with(c, VpcIngressConnectionStatus.PENDING_DELETION, null)));
    }

    /** What the routers serve now is what the connections say: PENDING_* ends (AVAILABLE, or DELETED). */
    public void settled() {
        for (StoredIngressConnections.Connection c : List.copyOf(connections)) {
            switch (status(c)) {
                case PENDING_CREATION, PENDING_UPDATE -> replace(c, with(c, VpcIngressConnectionStatus.AVAILABLE, null));
                case PENDING_DELETION -> replace(c, with(c, VpcIngressConnectionStatus.DELETED, Instant.now()));
                default -> { }
            }
        }
    }

    /** The connections of a service that is deleted go with it: DELETED. */
    public void deleteForService(String serviceArn) {
        for (StoredIngressConnections.Connection c : List.copyOf(connections)) {
            if (c.serviceArn().equals(serviceArn) && status(c) != VpcIngressConnectionStatus.DELETED) {
                replace(c, with(c, VpcIngressConnectionStatus.DELETED, Instant.now()));
            }
        }
    }

    public VpcIngressConnection describe(String arn) {
        return view(findAny(arn));
    }

    /** Live connections (DELETED ones left out), of the filter's service and endpoint if given, oldest first. */
    public List<VpcIngressConnection> list(ListVpcIngressConnectionsFilter filter) {
        return live().filter(c -> filter == null || filter.serviceArn() == null || filter.serviceArn().equals(c.serviceArn()))
                .filter(c -> filter == null || filter.vpcEndpointId() == null || filter.vpcEndpointId().equals(c.vpcEndpointId()))
                .sorted(Comparator.comparing(StoredIngressConnections.Connection::createdAt)).map(this::view).toList();
    }

    /** What the routers serve: by private listener, each connection's domain name to its service's ARN. */
    public Map<String, Map<String, String>> served() {
        Map<String, Map<String, String>> byListener = new HashMap<>();
        connections.stream().filter(c -> SERVED.contains(status(c)))
                .forEach(c -> byListener.computeIfAbsent(c.vpcId(), l -> new HashMap<>()).put(c.domainName(), c.serviceArn()));
        return byListener;
    }

    public StoredIngressConnections export() {
        return new StoredIngressConnections(List.copyOf(connections));
    }

    public void restore(StoredIngressConnections stored) {
        connections.clear();
        connections.addAll(stored.connections());
    }

    /** Checks that {@code config} names one of {@code listeners} and an endpoint id; InvalidRequestException otherwise. */
    static void checkConfig(IngressVpcConfiguration config, Set<String> listeners) {
        if (config.vpcId() == null || config.vpcId().isBlank()) {
            throw new InvalidRequestException("IngressVpcConfiguration.VpcId is required: the name of a private listener of this "
                    + "server (" + known(listeners) + ")");
        }
        if (!listeners.contains(config.vpcId())) {
            throw new InvalidRequestException("IngressVpcConfiguration.VpcId " + config.vpcId() + " names no private listener of this "
                    + "server (" + known(listeners) + "); start it with --private-listener " + config.vpcId() + "=ADDRESS:PORT");
        }
        if (config.vpcEndpointId() == null || config.vpcEndpointId().isBlank()) {
            throw new InvalidRequestException("IngressVpcConfiguration.VpcEndpointId is required: an id of the endpoint, e.g. vpce-01");
        }
    }

    private static String known(Set<String> listeners) {
        return listeners.isEmpty() ? "it has none" : "it has " + String.join(", ", new java.util.TreeSet<>(listeners));
    }

    /** {@code <service's first label>.<listener>.<base domain>}. */
    private static String domain(String serviceHost, String listener, String baseDomain) {
        return serviceHost.substring(0, serviceHost.indexOf('.')) + "." + listener + "." + baseDomain;
    }

    private java.util.stream.Stream<StoredIngressConnections.Connection> live() {
        return connections.stream().filter(c -> status(c) != VpcIngressConnectionStatus.DELETED);
    }

    private StoredIngressConnections.Connection find(String arn) {
        StoredIngressConnections.Connection c = findAny(arn);
        if (status(c) == VpcIngressConnectionStatus.DELETED) {
            throw new ResourceNotFoundException("VPC ingress connection " + arn + " was deleted");
        }
        return c;
    }

    private StoredIngressConnections.Connection findAny(String arn) {
        arns.parts(arn, "vpcingressconnection", "VpcIngressConnectionArn");
        return connections.stream().filter(c -> c.arn().equals(arn)).findFirst()
                .orElseThrow(() -> new ResourceNotFoundException("No VPC ingress connection " + arn));
    }

    private StoredIngressConnections.Connection replace(StoredIngressConnections.Connection old, StoredIngressConnections.Connection next) {
        connections.set(connections.indexOf(old), next);
        return next;
    }

    private static StoredIngressConnections.Connection with(StoredIngressConnections.Connection c, VpcIngressConnectionStatus status,
                                                            Instant deletedAt) {
        return new StoredIngressConnections.Connection(c.name(), c.arn(), c.serviceArn(), status.name(), c.domainName(), c.vpcId(),
                c.vpcEndpointId(), c.createdAt(), deletedAt);
    }

    private static VpcIngressConnectionStatus status(StoredIngressConnections.Connection c) {
        return VpcIngressConnectionStatus.valueOf(c.status());
    }

    private VpcIngressConnection view(StoredIngressConnections.Connection c) {
        return new VpcIngressConnection(c.arn(), c.name(), c.serviceArn(), status(c), arns.account(), c.domainName(),
                new IngressVpcConfiguration(c.vpcId(), c.vpcEndpointId()), c.createdAt(), c.deletedAt());
    }
}
