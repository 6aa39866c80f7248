package dev.slipway.core.internal.control;

import dev.slipway.core.model.EncryptionConfiguration;
import dev.slipway.core.model.ServiceStatus;
import dev.slipway.core.spi.PreparedRevision;
import dev.slipway.core.store.ControlPlaneState.ServiceSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A service as the registry keeps it: immutable, replaced whole on every change.
 *
 * @param maintenance starting again after a restart of Slipway: shown as OPERATION_IN_PROGRESS, as App Runner's
 *                    maintenance, and refusing actions until it serves
 * @param rollback    the settings from before the update in progress, if one is (a crash mid-update restores them)
 * @param operations  newest first
 * @param revision    the revision serving, once a deployment succeeded
 */
public record ServiceRecord(String name, String id, String arn, String host, Instant createdAt, Instant updatedAt,
                            ServiceStatus status, boolean maintenance, ServiceSpec spec,
                            EncryptionConfiguration encryption, Optional<ServiceSpec> rollback,
                            List<OperationRecord> operations, Optional<PreparedRevision> revision) {
    public ServiceRecord {
        operations = List.copyOf(operations);
    }

    /** The service with a new operation in progress (first in the list). */
    ServiceRecord startOperation(OperationRecord op, Optional<ServiceSpec> rollbackTo) {
        List<OperationRecord> ops = new ArrayList<>(operations);
        ops.add(0, op);
        return new ServiceRecord(name, id, arn, host, createdAt, Instant.now(), ServiceStatus.OPERATION_IN_PROGRESS,
                maintenance, spec, encryption, rollbackTo, ops, revision);
    }

    ServiceRecord withSpec(ServiceSpec next) {
        return new ServiceRecord(name, id, arn, host, createdAt, updatedAt, status, maintenance, next, encryption,
                rollback, operations, revision);
    }

    /** The service once its operation ended: the status it leads to, no rollback kept. */
    ServiceRecord ended(ServiceStatus next) {
        return new ServiceRecord(name, id, arn, host, createdAt, Instant.now(), next, maintenance, spec, encryption,
                Optional.empty(), operations, revision);
    }

    ServiceRecord withRevision(Optional<PreparedRevision> next) {
        return new ServiceRecord(name, id, arn, host, createdAt, updatedAt, status, maintenance, spec, encryption,
                rollback, operations, next);
    }

    ServiceRecord withMaintenance(boolean next) {
        return new ServiceRecord(name, id, arn, host, createdAt, Instant.now(), status, next, spec, encryption,
                rollback, operations, revision);
    }

    /** The status DescribeService shows: maintenance counts as an operation in progress. */
    ServiceStatus shownStatus() {
        return maintenance ? ServiceStatus.OPERATION_IN_PROGRESS : status;
    }
}
