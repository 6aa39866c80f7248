package dev.slipway.core.internal.store;

import java.time.Instant;
import java.util.List;

/** Every VPC connector revision (document {@code vpcconnectors}), deleted ones included (their numbers are not reused). */
public record StoredVpcConnectors(List<Revision> revisions) {
    /** One revision; {@code deletedAt} is null while it is active. */
    public record Revision(String name, int number, String arn, List<String> subnets, List<String> securityGroups, Instant createdAt,
                           Instant deletedAt) {
    }
}
