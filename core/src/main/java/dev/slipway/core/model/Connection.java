package dev.slipway.core.model;

import java.time.Instant;

/** Access to a repository provider account, shared by services. */
public record Connection(String connectionName, String connectionArn, ProviderType providerType,
                         ConnectionStatus status, Instant createdAt) {
}
