package dev.slipway.core.internal.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.core.internal.store.StateSchema;
import dev.slipway.core.internal.store.StoredAutoScaling;
import dev.slipway.core.internal.store.StoredConnections;
import dev.slipway.core.internal.store.StoredService;
import dev.slipway.core.internal.store.StoredTags;
import dev.slipway.core.model.*;
import dev.slipway.core.spi.PreparedRevision;
import dev.slipway.core.spi.Resources;
import dev.slipway.core.spi.RunConfiguration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.slipway.core.model.CertificateValidationRecord;
import dev.slipway.core.model.CustomDomainAssociationStatus;
import dev.slipway.core.tls.IssuedCertificate;
import java.util.Optional;
import java.util.Set;

/** The registry's records as stored documents ({@link StateSchema}) and back. */
final class StateDocuments {
    private StateDocuments() {
    }

    static String write(ServiceRecord s) {
        return StateSchema.write(new StoredService(s.name(), s.id(), s.arn(), s.host(), s.createdAt(), s.updatedAt(),
                s.status().name(), spec(s.spec()), tree(s.encryption()), s.rollback().map(StateDocuments::spec).orElse(null),
                s.revision().map(StateDocuments::revision).orElse(null), s.tags(),
                s.domains().stream().map(StateDocuments::domain).toList(), s.webhookSecret().orElse(null)));
    }

    static String write(OperationState o) {
        return StateSchema.write(new StoredService.Operation(o.id(), o.summary().type().name(), o.summary().status().name(),
                o.summary().targetArn(), o.summary().startedAt(), o.summary().endedAt(), o.summary().updatedAt(),
                o.failureReason().orElse(null)));
    }

    static OperationState readOperation(String key, String json) {
        StoredService.Operation o = StateSchema.read(key, json, StoredService.Operation.class);
        try {
            return new OperationState(new OperationSummary(o.id(), OperationType.valueOf(o.type()),
                    OperationStatus.valueOf(o.status()), o.targetArn(), o.startedAt(), o.endedAt(), o.updatedAt()),
                    Optional.ofNullable(o.failureReason()));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalStateException("Slipway's stored state has a damaged document '" + key + "' (" + e
                    + "); restore the state from a backup, or move it away to start empty", e);
        }
    }

    /** A service read back, with its operations (newest first). */
    static ServiceRecord readService(String key, String json, List<OperationState> operations) {
        StoredService s = StateSchema.read(key, json, StoredService.class);
        try {
            return new ServiceRecord(s.name(), s.id(), s.arn(), s.host(), s.createdAt(), s.updatedAt(),
                    ServiceStatus.valueOf(s.status()), false, spec(s.spec()), value(s.encryption(), EncryptionConfiguration.class),
                    Optional.ofNullable(s.rollback()).map(StateDocuments::spec), operations,
                    Optional.ofNullable(s.revision()).map(StateDocuments::revision), s.tags() == null ? Map.of() : s.tags(),
                    s.domains() == null ? List.of() : s.domains().stream().map(StateDocuments::domain).toList(),
                    Optional.ofNullable(s.webhookSecret()));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalStateException("Slipway's stored state has a damaged document '" + key + "' (" + e
                    + "); restore the state from a backup, or move it away to start empty", e);
        }
    }

    private static StoredService.Domain domain(DomainRecord d) {
        var c = d.certificate();
        return new StoredService.Domain(d.name(), d.www(), d.status().name(), tree(d.records()),
                c.map(IssuedCertificate::names).orElse(null), c.map(IssuedCertificate::certificateChainPem).orElse(null),
                c.map(IssuedCertificate::privateKeyPem).orElse(null), c.map(IssuedCertificate::notBefore).orElse(null),
                c.map(IssuedCertificate::notAfter).orElse(null), d.failure().orElse(null));
    }

    private static DomainRecord domain(StoredService.Domain d) {
        Optional<IssuedCertificate> certificate = Optional.ofNullable(d.certificateChain()).map(chain ->
                new IssuedCertificate(d.certificateNames(), chain, d.privateKey(), d.notBefore(), d.notAfter()));
        List<CertificateValidationRecord> records = d.validationRecords() == null || d.validationRecords().isNull() ? List.of()
                : List.of(value(d.validationRecords(), CertificateValidationRecord[].class));
        return new DomainRecord(d.name(), d.www(), CustomDomainAssociationStatus.valueOf(d.status()), records, certificate,
                Optional.ofNullable(d.failure()));
    }

    static StoredConnections connections(String json) {
        return StateSchema.read(StateSchema.CONNECTIONS, json, StoredConnections.class);
    }

    static StoredAutoScaling autoScaling(String json) {
        return StateSchema.read(StateSchema.AUTO_SCALING, json, StoredAutoScaling.class);
    }

    static dev.slipway.core.internal.store.StoredIngressConnections ingressConnections(String json) {
        return StateSchema.read(StateSchema.INGRESS_CONNECTIONS, json, dev.slipway.core.internal.store.StoredIngressConnections.class);
    }

    static dev.slipway.core.internal.store.StoredVpcConnectors vpcConnectors(String json) {
        return StateSchema.read(StateSchema.VPC_CONNECTORS, json, dev.slipway.core.internal.store.StoredVpcConnectors.class);
    }

    static dev.slipway.core.internal.store.StoredObservability observability(String json) {
        return StateSchema.read(StateSchema.OBSERVABILITY, json, dev.slipway.core.internal.store.StoredObservability.class);
    }

    static dev.slipway.core.internal.store.StoredSecrets secrets(String json) {
        return StateSchema.read(StateSchema.SECRETS, json, dev.slipway.core.internal.store.StoredSecrets.class);
    }

    static StoredTags tags(String json) {
        return StateSchema.read(StateSchema.TAGS, json, StoredTags.class);
    }

    private static StoredService.Spec spec(ServiceSpec s) {
        return new StoredService.Spec(tree(s.source()), tree(s.instance()), tree(s.health()), tree(s.network()),
                tree(s.observability()), s.autoScalingArn());
    }

    private static ServiceSpec spec(StoredService.Spec s) {
        return new ServiceSpec(value(s.source(), SourceConfiguration.class), value(s.instance(), InstanceConfiguration.class),
                value(s.health(), HealthCheckConfiguration.class), value(s.network(), NetworkConfiguration.class),
                value(s.observability(), ServiceObservabilityConfiguration.class), s.autoScalingArn());
    }

    private static StoredService.Revision revision(PreparedRevision r) {
        RunConfiguration run = r.run();
        return new StoredService.Revision(r.serviceId(), r.revisionId(), r.location(), r.attributes(),
                run.startCommand().orElse(null), run.port(), run.portEnv().orElse(null), run.env(), run.secrets(),
                run.resources().cpuUnits(), run.resources().memoryMiB(), run.egress().networks(), run.egress().securityGroups());
    }

    private static PreparedRevision revision(StoredService.Revision r) {
        return new PreparedRevision(r.serviceId(), r.revisionId(), r.location(), orEmpty(r.attributes()),
                new RunConfiguration(Optional.ofNullable(r.startCommand()), r.port(), Optional.ofNullable(r.portEnv()),
                        orEmpty(r.env()), orEmpty(r.secrets()), new Resources(r.cpuUnits(), r.memoryMiB()),
                        new dev.slipway.core.spi.Egress(r.egressNetworks() == null ? java.util.List.of() : r.egressNetworks(),
                                r.egressSecurityGroups() == null ? java.util.List.of() : r.egressSecurityGroups())));
    }

    private static Map<String, String> orEmpty(Map<String, String> m) {
        return m == null ? Map.of() : m;
    }

    private static JsonNode tree(Object value) {
        return value == null ? null : StateSchema.MAPPER.valueToTree(value);
    }

    private static <T> T value(JsonNode tree, Class<T> type) {
        if (tree == null || tree.isNull()) {
            return null;
        }
        try {
            return StateSchema.MAPPER.treeToValue(tree, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("its " + type.getSimpleName() + " cannot be read: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The documents a service's change writes and deletes: its own document if more than its operations changed, and
     * each operation that is new or moved on (not the service's whole history).
     */
    static void changes(ServiceRecord before, ServiceRecord after, Map<String, String> puts, Set<String> deletes) {
        String id = (after != null ? after : before).id();
        if (after == null) {
            deletes.add(StateSchema.serviceKey(id));
            before.operations().forEach(op -> deletes.add(StateSchema.operationKey(id, op.id())));
            return;
        }
        if (before == null || !before.withOperations(after.operations()).equals(after)) {
            puts.put(StateSchema.serviceKey(id), StateDocuments.write(after));
        }
        Map<String, OperationState> old = new HashMap<>();
        if (before != null) {
            before.operations().forEach(op -> old.put(op.id(), op));
        }
        for (OperationState op : after.operations()) {
            if (!op.equals(old.remove(op.id()))) {
                puts.put(StateSchema.operationKey(id, op.id()), StateDocuments.write(op));
            }
        }
        old.keySet().forEach(gone -> deletes.add(StateSchema.operationKey(id, gone)));
    }
}
