package dev.slipway.core.model;

/** The DNS target of a service's custom domains inside a VPC, through a VPC ingress connection. */
public record VpcDNSTarget(String vpcIngressConnectionArn, String vpcId, String domainName) {
}
