package dev.slipway.core.spi;

import java.util.List;

/**
 * Where an instance's outbound traffic may go beside the default (a service's VPC connector, EgressType VPC): the
 * {@code networks} it joins (the connector's subnets) and the egress rule sets applied to it (its security groups).
 * What each names is the backend's: on Docker, user-defined networks; on Kubernetes, namespaces and NetworkPolicies.
 */
public record Egress(List<String> networks, List<String> securityGroups) {
    /** The default egress: the backend's own network, nothing more. */
    public static final Egress DEFAULT = new Egress(List.of(), List.of());

    public Egress {
        networks = List.copyOf(networks);
        securityGroups = List.copyOf(securityGroups);
    }

    /** Whether this is a VPC connector's egress (some networks to join). */
    public boolean attached() {
        return !networks.isEmpty();
    }
}
