package dev.slipway.core.model;

import java.time.Instant;

/** Summary of a connection. */
public record ConnectionSummary(String connectionName, String connectionArn, ProviderType providerType,
                                ConnectionStatus status, Instant createdAt) {
    public static ConnectionSummary of(Connection c) {
        return new ConnectionSummary(c.connectionName(), c.connectionArn(), c.providerType(), c.status(), c.createdAt());
    }
}
