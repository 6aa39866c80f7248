package dev.slipway.core.model;

/** Which VPC ingress connections ListVpcIngressConnections shows: of a service, of an endpoint (both optional). */
public record ListVpcIngressConnectionsFilter(String serviceArn, String vpcEndpointId) {
}
