package dev.slipway.core.internal.store;

import java.time.Instant;
import java.util.List;

/**
 * Slipway's secret store (document {@code secrets}): Secrets Manager secrets with their versions, and SSM parameters.
 * Values are in fields named {@code secretValue}, which a sealed state store encrypts.
 */
public record StoredSecrets(List<Secret> secrets, List<Parameter> parameters) {
    public record Secret(String name, String arn, String description, Instant createdAt, Instant changedAt, List<Version> versions) {
    }

    /** A version; {@code current} is the AWSCURRENT one. */
    public record Version(String id, String secretValue, Instant createdAt, boolean current) {
    }

    public record Parameter(String name, String arn, String type, String secretValue, long version, Instant modifiedAt) {
    }
}
