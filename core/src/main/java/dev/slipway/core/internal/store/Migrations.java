package dev.slipway.core.internal.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.core.store.StoredState;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Brings a stored state of any earlier schema version to {@link StateSchema#VERSION}, one version at a time, on the
 * JSON trees (not on Java records, which change with the code): each step reads exactly what its version wrote.
 */
public final class Migrations {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private Migrations() {
    }

    /** The documents of {@code stored} in the current schema (the same map if it is current already). */
    public static Map<String, String> toCurrent(StoredState stored) {
        int version = stored.schemaVersion();
        if (version > StateSchema.VERSION) {
            throw new IllegalStateException("The stored state has schema version " + version + "; this Slipway reads "
                    + StateSchema.VERSION + " and earlier. Run a newer Slipway on it, or restore a backup of an older state");
        }
        if (version == StateSchema.VERSION) {
            return stored.documents();
        }
        if (version < 1) {
            throw new IllegalStateException("The stored state has schema version " + version + ", which no Slipway wrote");
        }
        ObjectNode whole = parse(stored.documents().get(StateSchema.WHOLE_STATE));
        try {
            return v2ToV3(version == 1 ? v1ToV2(whole) : whole);
        } catch (RuntimeException e) { // a field of an unexpected kind
            throw new IllegalStateException("Slipway's stored state (schema version " + version + ") cannot be migrated ("
                    + e + "); restore it from a backup, or move it away to start empty", e);
        }
    }

    /** Version 1 revisions did not carry their run configuration: they cannot be started again, so they are dropped. */
    static ObjectNode v1ToV2(ObjectNode whole) {
        for (JsonNode service : array(whole, "services")) {
            if (!service.path("revision").has("run")) {
                ((ObjectNode) service).set("revision", NullNode.instance);
            }
        }
        whole.put("version", 2);
        return whole;
    }

    /**
     * Version 2 (one state.json of the public records) becomes a document per service and per operation, and one each
     * for connections, configurations and tags.
     */
    static Map<String, String> v2ToV3(ObjectNode whole) {
        ObjectNode tags = whole.has("tags") && whole.get("tags").isObject() ? (ObjectNode) whole.get("tags") : JSON.objectNode();
        Map<String, String> documents = new LinkedHashMap<>();
        for (JsonNode s : array(whole, "services")) {
            ObjectNode service = JSON.objectNode();
            for (String field : new String[] {"name", "id", "arn", "host", "createdAt", "updatedAt", "status", "encryption"}) {
                service.set(field, s.path(field).isMissingNode() ? NullNode.instance : s.get(field));
            }
            ObjectNode spec = JSON.objectNode();
            for (String field : new String[] {"source", "instance", "health", "network", "observability", "autoScalingArn"}) {
                spec.set(field, s.path(field).isMissingNode() ? NullNode.instance : s.get(field));
            }
            service.set("spec", spec);
            service.set("rollback", s.path("rollback").isMissingNode() ? NullNode.instance : s.get("rollback"));
            for (JsonNode o : array(s, "operations")) {
                ObjectNode op = (ObjectNode) o.get("summary").deepCopy();
                op.remove("done");
                op.set("failureReason", o.path("failureReason").isMissingNode() ? NullNode.instance : o.get("failureReason"));
                documents.put(StateSchema.operationKey(s.path("id").asText(), op.path("id").asText()), op.toString());
            }
            JsonNode r = s.path("revision");
            if (r.isObject()) {
                ObjectNode revision = JSON.objectNode();
                for (String field : new String[] {"serviceId", "revisionId", "location", "attributes"}) {
                    revision.set(field, r.get(field));
                }
                JsonNode run = r.path("run");
                for (String field : new String[] {"startCommand", "port", "portEnv", "env", "secrets"}) {
                    revision.set(field, run.path(field).isMissingNode() ? NullNode.instance : run.get(field));
                }
                revision.set("cpuUnits", run.path("resources").path("cpuUnits"));
                revision.set("memoryMiB", run.path("resources").path("memoryMiB"));
                service.set("revision", revision);
            } else {
                service.set("revision", NullNode.instance);
            }
            String arn = s.path("arn").asText();
            service.set("tags", tags.has(arn) ? tags.get(arn) : JSON.objectNode());
            tags.remove(arn);
            documents.put(StateSchema.serviceKey(s.path("id").asText()), service.toString());
        }
        ArrayNode connections = JSON.arrayNode();
        for (JsonNode c : array(whole, "connections")) {
            JsonNode connection = c.path("connection");
            ObjectNode stored = connections.addObject();
            stored.set("name", connection.get("connectionName"));
            stored.set("arn", connection.get("connectionArn"));
            stored.set("providerType", connection.get("providerType"));
            stored.set("status", connection.get("status"));
            stored.set("createdAt", connection.get("createdAt"));
            stored.set("credentialKind", c.path("credential").isObject() ? c.get("credential").get("kind") : NullNode.instance);
            stored.set("credentialSecret", c.path("credential").isObject() ? c.get("credential").get("secret") : NullNode.instance);
            stored.set("sshHostKeys", c.path("sshHostKeys").isObject() ? c.get("sshHostKeys") : JSON.objectNode());
        }
        documents.put(StateSchema.CONNECTIONS, JSON.objectNode().set("connections", connections).toString());
        documents.put(StateSchema.AUTO_SCALING, whole.path("autoScaling").toString());
        documents.put(StateSchema.TAGS, JSON.objectNode().set("byArn", tags).toString());
        return documents;
    }

    private static ObjectNode parse(String json) {
        try {
            JsonNode tree = json == null ? null : StateSchema.MAPPER.readTree(json);
            if (tree == null || !tree.isObject() || !tree.path("services").isArray() || !tree.path("autoScaling").isObject()) {
                throw new IllegalStateException("Slipway's stored state (schema version 1 or 2) is not a whole state: it "
                        + "has no services or autoScaling; restore it from a backup, or move it away to start empty");
            }
            return (ObjectNode) tree;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Slipway's stored state (schema version 1 or 2) is damaged (" + e.getOriginalMessage()
                    + "); restore it from a backup, or move it away to start empty", e);
        }
    }

    private static Iterable<JsonNode> array(JsonNode node, String field) {
        JsonNode a = node.path(field);
        Iterator<JsonNode> none = java.util.Collections.emptyIterator();
        return a.isArray() ? a::elements : () -> none;
    }
}
