package dev.slipway.core.internal.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A service as stored (document {@code service/<id>}; each of its operations is a document of its own,
 * {@code operation/<service-id>/<operation-id>}, so a change writes only what changed), schema version
 * {@link StateSchema#VERSION}. Slipway's own
 * record: the configuration shapes inside are kept as the App Runner model's JSON (their names are the 2020-05-15
 * model's, which AWS does not change incompatibly), everything else is spelled out here, so a change to a public Java
 * record is not a change of the stored format.
 *
 * @param rollback   the settings from before an update in progress, if one is
 * @param revision   the revision serving, once a deployment succeeded
 * @param domains    its custom domains (absent before Slipway had them: none)
 * @param webhookSecret the secret of its push webhooks, once asked for (absent: none yet)
 */
public record StoredService(String name, String id, String arn, String host, Instant createdAt, Instant updatedAt,
                            String status, Spec spec, JsonNode encryption, Spec rollback, Revision revision,
                            Map<String, String> tags, List<Domain> domains, String webhookSecret) {
    /**
     * A custom domain: status and validation records as the model's enums and shapes, the certificate and its key as
     * PEM text (the document is stored as secrets are: a 0600 database file, a Kubernetes Secret).
     */
    public record Domain(String name, boolean www, String status, JsonNode validationRecords, List<String> certificateNames,
                         String certificateChain, String privateKey, Instant notBefore, Instant notAfter, String failure) {
    }

    /** The settings UpdateService can change. */
    public record Spec(JsonNode source, JsonNode instance, JsonNode health, JsonNode network, JsonNode observability,
                       String autoScalingArn) {
    }

    /** An operation of a service (document {@code operation/<service-id>/<operation-id>}). */
    public record Operation(String id, String type, String status, String targetArn, Instant startedAt,
                            Instant endedAt, Instant updatedAt, String failureReason) {
    }

    /** A built revision and what its instances run. */
    public record Revision(String serviceId, String revisionId, String location, Map<String, String> attributes,
                           String startCommand, int port, String portEnv, Map<String, String> env,
                           Map<String, String> secrets, int cpuUnits, int memoryMiB, List<String> egressNetworks,
                           List<String> egressSecurityGroups) {
    }
}
