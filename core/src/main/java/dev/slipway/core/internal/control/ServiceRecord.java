package dev.slipway.core.internal.control;

import dev.slipway.core.model.EncryptionConfiguration;
import dev.slipway.core.model.ServiceStatus;
import dev.slipway.core.spi.PreparedRevision;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A service as the registry keeps it: immutable, replaced whole on every change, saved as one document.
 *
 * @param maintenance starting again after a restart of Slipway: shown as OPERATION_IN_PROGRESS, as App Runner's
 *                    maintenance, and refusing actions until it serves (not saved: a restart decides it anew)
 * @param rollback    the settings from before the update in progress, if one is (a crash mid-update restores them)
 * @param operations  newest first
 * @param revision    the revision serving, once a deployment succeeded
 * @param tags        the service's tags
 * @param domains     its custom domains, in the order they were associated
 * @param webhookSecret the secret its push webhooks are signed with, once one was asked for (never logged)
 */
public record ServiceRecord(String name, String id, String arn, String host, Instant createdAt, Instant updatedAt,
                            ServiceStatus status, boolean maintenance, ServiceSpec spec,
                            EncryptionConfiguration encryption, Optional<ServiceSpec> rollback,
                            List<OperationState> operations, Optional<PreparedRevision> revision,
                            Map<String, String> tags, List<DomainRecord> domains,
                            Optional<String> webhookSecret) {
    public ServiceRecord {
        operations = List.copyOf(operations);
        domains = List.copyOf(domains);
        tags = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tags));
    }

    /** The service with a new operation in progress (first in the list). */
    ServiceRecord startOperation(OperationState op, Optional<ServiceSpec> rollbackTo) {
        List<OperationState> ops = new ArrayList<>(operations);
        ops.add(0, op);
        return new ServiceRecord(name, id, arn, host, createdAt, Instant.now(), ServiceStatus.OPERATION_IN_PROGRESS,
                maintenance, spec, encryption, rollbackTo, ops, revision, tags, domains, webhookSecret);
    }

    /** The service with {@code op} replacing the operation of the same id. */
    ServiceRecord withOperation(OperationState op) {
        return new ServiceRecord(name, id, arn, host, createdAt, updatedAt, status, maintenance, spec, encryption,
                rollback, operations.stream().map(o -> o.id().equals(op.id()) ? op : o).toList(), revision, tags, domains, webhookSecret);
    }

    ServiceRecord withOperations(List<OperationState> next) {
        return new ServiceRecord(name, id, arn, host, createdAt, updatedAt, status, maintenance, spec, encryption,
                rollback, next, revision, tags, domains, webhookSecret);
    }

    Optional<OperationState> operation(String operationId) {
        return operations.stream().filter(o -> o.id().equals(operationId)).findFirst();
    }

    ServiceRecord withSpec(ServiceSpec next) {
        return new ServiceRecord(name, id, arn, host, createdAt, updatedAt, status, maintenance, next, encryption,
                rollback, operations, revision, tags, domains, webhookSecret);
    }

    /** The service once its operation ended: the status it leads to, no rollback kept. */
    ServiceRecord ended(ServiceStatus next) {
        return new ServiceRecord(name, id, arn, host, createdAt, Instant.now(), next, maintenance, spec, encryption,
                Optional.empty(), operations, revision, tags, domains, webhookSecret);
    }

    ServiceRecord withRevision(Optional<PreparedRevision> next) {
        return new ServiceRecord(name, id, arn, host, createdAt, updatedAt, status, maintenance, spec, encryption,
                rollback, operations, next, tags, domains, webhookSecret);
    }

    ServiceRecord withMaintenance(boolean next) {
        return new ServiceRecord(name, id, arn, host, createdAt, Instant.now(), status, next, spec, encryption,
                rollback, operations, revision, tags, domains, webhookSecret);
    }

    ServiceRecord withTags(Map<String, String> next) {
        return new ServiceRecord(name, id, arn, host, createdAt, updatedAt, status, maintenance, spec, encryption,
                rollback, operations, revision, next, domains, webhookSecret);
    }

    ServiceRecord withDomains(List<DomainRecord> next) {
        return new ServiceRecord(name, id, arn, host, createdAt, updatedAt, status, maintenance, spec, encryption,
                rollback, operations, revision, tags, next, webhookSecret);
    }

    ServiceRecord withWebhookSecret(String secret) {
        return new ServiceRecord(name, id, arn, host, createdAt, updatedAt, status, maintenance, spec, encryption,
                rollback, operations, revision, tags, domains, Optional.of(secret));
    }

    /** Its custom domain {@code name}, if it has it. */
    Optional<DomainRecord> domain(String name) {
        return domains.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    /** Names the service, and no secret. */
    @Override
    public String toString() {
        return "ServiceRecord[" + name + " " + id + " " + status + "]";
    }

    /** The status DescribeService shows: maintenance counts as an operation in progress. */
    ServiceStatus shownStatus() {
        return maintenance ? ServiceStatus.OPERATION_IN_PROGRESS : status;
    }
}
