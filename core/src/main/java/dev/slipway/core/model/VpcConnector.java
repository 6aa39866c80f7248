package dev.slipway.core.model;

import java.time.Instant;
import java.util.List;

/**
 * A VPC connector revision: the networks a service's instances reach beside the default egress ({@code subnets}), and
 * the egress rule sets that apply to them ({@code securityGroups}); what each names on each backend is in
 * docs/api-compatibility.md.
 */
public record VpcConnector(String vpcConnectorName, String vpcConnectorArn, Integer vpcConnectorRevision, List<String> subnets,
                           List<String> securityGroups, VpcConnectorStatus status, Instant createdAt, Instant deletedAt) {
}
