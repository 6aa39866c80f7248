package dev.slipway.core.internal.store;

import java.time.Instant;
import java.util.List;

/** Every VPC ingress connection (document {@code ingressconnections}), deleted ones included. */
public record StoredIngressConnections(List<Connection> connections) {
    /** One connection; {@code status} is a VpcIngressConnectionStatus name. */
    public record Connection(String name, String arn, String serviceArn, String status, String domainName, String vpcId,
                             String vpcEndpointId, Instant createdAt, Instant deletedAt) {
    }
}
