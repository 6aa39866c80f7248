package dev.slipway.core.model;

/** A VPC ingress connection as ListVpcIngressConnections shows it. */
public record VpcIngressConnectionSummary(String vpcIngressConnectionArn, String serviceArn) {
}
