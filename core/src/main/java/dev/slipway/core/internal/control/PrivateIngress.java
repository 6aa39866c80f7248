package dev.slipway.core.internal.control;

import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.InvalidStateException;
import dev.slipway.core.ResourceNotFoundException;
import dev.slipway.core.api.*;
import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.model.ServiceStatus;
import dev.slipway.core.model.VpcIngressConnection;
import dev.slipway.core.validation.ShapeValidator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Private services and VPC ingress connections: the five VpcIngressConnection actions, and what the routers serve from
 * them. A connection serves its service on the private listener its VpcId names ({@code slipway server
 * --private-listener NAME=ADDRESS:PORT}) at its domain name; a service with {@code IsPubliclyAccessible: false} is
 * served there only, and the public listeners answer its host 404 as any unknown one. A DUAL_STACK service is served
 * on the router's IPv6 listener too (opened when the first one asks), which serves no other.
 */
public final class PrivateIngress {
    private static final ShapeValidator VALIDATOR = ShapeValidator.instance();
    private final ControlState state;
    private final RoutingTable routing;
    private final Set<String> listeners;
    private final String baseDomain;

    private final Runnable ipv6;

    /** {@code ipv6}: opens the router's IPv6 listener (called each time a service is DUAL_STACK: it must be idempotent). */
    public PrivateIngress(ControlState state, RoutingTable routing, Set<String> listeners, String baseDomain, Runnable ipv6) {
        this.ipv6 = ipv6;
        this.state = state;
        this.routing = routing;
        this.listeners = Set.copyOf(listeners);
        this.baseDomain = baseDomain;
    }

    public CreateVpcIngressConnectionResponse create(CreateVpcIngressConnectionRequest r) {
        VALIDATOR.validate("CreateVpcIngressConnectionRequest", r);
        if (state.read(() -> state.find(r.serviceArn())).isEmpty()) { // CreateVpcIngressConnection has no ResourceNotFoundException
            throw new InvalidRequestException("ServiceArn " + r.serviceArn() + " names no service");
        }
        IngressConnections.checkConfig(r.ingressVpcConfiguration(), listeners); // bad input, whatever the service's state
        VpcIngressConnection c = state.write(() -> {
            ServiceRecord s = service(r.serviceArn());
            VpcIngressConnection created = state.ingressConnections().create(r.vpcIngressConnectionName(), s.arn(), s.host(),
                    r.ingressVpcConfiguration(), listeners, baseDomain);
            state.tags().add(created.vpcIngressConnectionArn(), r.tags());
            return created;
        });
        publish();
        return new CreateVpcIngressConnectionResponse(c);
    }

    public DescribeVpcIngressConnectionResponse describe(DescribeVpcIngressConnectionRequest r) {
        VALIDATOR.validate("DescribeVpcIngressConnectionRequest", r);
        return state.read(() -> new DescribeVpcIngressConnectionResponse(state.ingressConnections().describe(r.vpcIngressConnectionArn())));
    }

    public ListVpcIngressConnectionsResponse list(ListVpcIngressConnectionsRequest r) {
        VALIDATOR.validate("ListVpcIngressConnectionsRequest", r);
        return state.read(() -> {
            var all = state.ingressConnections().list(r.filter()).stream().map(VpcIngressConnection::summary).toList();
            Pages.Page<dev.slipway.core.model.VpcIngressConnectionSummary> page = Pages.page(all, r.maxResults(), r.nextToken(), 100);
            return new ListVpcIngressConnectionsResponse(page.items(), page.nextToken());
        });
    }

    public UpdateVpcIngressConnectionResponse update(UpdateVpcIngressConnectionRequest r) {
        VALIDATOR.validate("UpdateVpcIngressConnectionRequest", r);
        VpcIngressConnection c = state.write(() -> {
            VpcIngressConnection now = state.ingressConnections().describe(r.vpcIngressConnectionArn());
            ServiceRecord s = state.service(now.serviceArn());
            return state.ingressConnections().update(r.vpcIngressConnectionArn(), r.ingressVpcConfiguration(), s.host(), listeners,
                    baseDomain);
        });
        publish();
        return new UpdateVpcIngressConnectionResponse(c);
    }

    public DeleteVpcIngressConnectionResponse delete(DeleteVpcIngressConnectionRequest r) {
        VALIDATOR.validate("DeleteVpcIngressConnectionRequest", r);
        VpcIngressConnection c = state.write(() -> {
            VpcIngressConnection deleting = state.ingressConnections().delete(r.vpcIngressConnectionArn());
            state.tags().forget(deleting.vpcIngressConnectionArn());
            return deleting;
        });
        publish();
        return new DeleteVpcIngressConnectionResponse(c);
    }

    /** The connections of a deleted service go with it. */
    public void serviceDeleted(String serviceArn) {
        state.writeEventually(() -> state.ingressConnections().deleteForService(serviceArn));
    }

    /**
     * Tells the routing table what private listeners serve and which services are private, from the state as it is; then
     * the connections it serves now are AVAILABLE (or DELETED).
     */
    public void publish() {
        state.read(() -> {
            Map<String, Map<String, String>> names = new HashMap<>();
            state.ingressConnections().served().forEach((listener, byName) -> {
                Map<String, String> hosts = new HashMap<>();
                byName.forEach((name, arn) -> state.find(arn).ifPresent(s -> hosts.put(name, s.host())));
                names.put(listener, hosts);
            });
            Set<String> privateHosts = new HashSet<>();
            Set<String> dualStack = new HashSet<>();
            for (ServiceRecord s : state.allServices()) {
                var network = s.spec().network();
                var ingress = network == null ? null : network.ingressConfiguration();
                if (ingress != null && Boolean.FALSE.equals(ingress.isPubliclyAccessible())) {
                    privateHosts.add(s.host());
                }
                if (network != null && network.ipAddressType() == dev.slipway.core.model.IpAddressType.DUAL_STACK) {
                    dualStack.add(s.host());
                }
            }
            if (!dualStack.isEmpty()) {
                ipv6.run(); // the router listens on IPv6 too from the first service that asks
            }
            routing.privateIngress(names, privateHosts, dualStack);
            return null;
        });
        state.writeEventually(() -> state.ingressConnections().settled());
    }

    private ServiceRecord service(String arn) {
        ServiceRecord s;
        try {
            s = state.service(arn);
        } catch (ResourceNotFoundException e) { // CreateVpcIngressConnection has no ResourceNotFoundException
            throw new InvalidRequestException("ServiceArn " + arn + " names no service");
        }
        if (s.status() == ServiceStatus.DELETED || s.status() == ServiceStatus.CREATE_FAILED) {
            throw new InvalidStateException("Service " + arn + " is " + s.status() + "; a VPC ingress connection needs a service "
                    + "that runs");
        }
        return s;
    }

    List<String> listeners() {
        return List.copyOf(listeners);
    }
}
