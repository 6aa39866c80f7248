package dev.slipway.core.model;

/**
 * Where a VPC ingress connection reaches its service from: {@code vpcId} names one of the server's private listeners
 * ({@code slipway server --private-listener NAME=ADDRESS:PORT}), {@code vpcEndpointId} the endpoint's own id (kept and
 * filtered on, as App Runner keeps it).
 */
public record IngressVpcConfiguration(String vpcId, String vpcEndpointId) {
}
