package dev.slipway.core.store;

import dev.slipway.core.model.*;
import dev.slipway.core.source.RepositoryCredential;
import dev.slipway.core.spi.PreparedRevision;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything the control plane must not lose: services (spec, status, operations, deployed revision), connections
 * (with their handshake tokens), auto scaling configuration revisions, and tags.
 */
public record ControlPlaneState(int version, List<ServiceState> services, List<ConnectionState> connections,
                                AutoScalingState autoScaling, Map<String, Map<String, String>> tags) {
    /** 2: revisions carry their run configuration and backend attributes (SPI v2). */
    public static final int VERSION = 2;

    /**
     * A service as stored. {@code revision} is null until a deployment succeeded; {@code rollback} is null unless an
     * update is in progress.
     */
    public record ServiceState(String name, String id, String arn, String host, Instant createdAt, Instant updatedAt,
                               ServiceStatus status, SourceConfiguration source, InstanceConfiguration instance,
                               HealthCheckConfiguration health, NetworkConfiguration network,
                               EncryptionConfiguration encryption, ServiceObservabilityConfiguration observability,
                               String autoScalingArn, ServiceSpec rollback, List<OperationState> operations,
                               PreparedRevision revision) {
    }

    /** The settings UpdateService can change; {@code rollback} holds them from before an update in progress. */
    public record ServiceSpec(SourceConfiguration source, InstanceConfiguration instance, HealthCheckConfiguration health,
                              NetworkConfiguration network, ServiceObservabilityConfiguration observability,
                              String autoScalingArn) {
    }

    /** An operation as stored. */
    public record OperationState(OperationSummary summary, String failureReason) {
    }

    /**
     * A connection, what its handshake gave (a token or an SSH key) if completed, and the SSH host keys it pinned
     * (host to fingerprint).
     */
    public record ConnectionState(Connection connection, RepositoryCredential credential, Map<String, String> sshHostKeys) {
    }

    /** All auto scaling configuration revisions, deleted ones included (their numbers are not reused). */
    public record AutoScalingState(List<RevisionState> revisions, String defaultName) {
    }

    /** One auto scaling configuration revision. */
    public record RevisionState(String name, int number, String arn, int maxConcurrency, int minSize, int maxSize,
                                Instant createdAt, Instant deletedAt) {
    }
}
