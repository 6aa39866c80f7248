package dev.slipway.core.model;

import java.time.Instant;

/**
 * A VPC ingress connection: the service {@code serviceArn} reached on the private listener its configuration names, at
 * {@code domainName}.
 */
public record VpcIngressConnection(String vpcIngressConnectionArn, String vpcIngressConnectionName, String serviceArn,
                                   VpcIngressConnectionStatus status, String accountId, String domainName,
                                   IngressVpcConfiguration ingressVpcConfiguration, Instant createdAt, Instant deletedAt) {
    public VpcIngressConnectionSummary summary() {
        return new VpcIngressConnectionSummary(vpcIngressConnectionArn, serviceArn);
    }
}
