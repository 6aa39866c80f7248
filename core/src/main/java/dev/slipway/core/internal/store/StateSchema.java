package dev.slipway.core.internal.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.UncheckedIOException;

/**
 * The stored state's schema: its version, the documents' keys, and how they are written (JSON, dates as ISO 8601,
 * fields a newer Slipway added ignored). Versions: 1 and 2 were one JSON document of the whole state (state.json);
 * 3 is a document per service and per operation, plus one each for connections, auto scaling configurations and
 * other tags.
 */
public final class StateSchema {
    /** The version this Slipway writes; {@link Migrations} brings every earlier one to it. */
    public static final int VERSION = 3;
    /** Versions 1 and 2: the whole state as one document under this key. */
    public static final String WHOLE_STATE = "state";
    public static final String CONNECTIONS = "connections";
    public static final String AUTO_SCALING = "autoscaling";
    public static final String TAGS = "tags";
    /** Observability configurations (added in schema 3 without a migration: a state without it has none). */
    public static final String OBSERVABILITY = "observability";
    /** VPC connectors (added in schema 3 without a migration: a state without it has none). */
    public static final String VPC_CONNECTORS = "vpcconnectors";
    /** VPC ingress connections (added in schema 3 without a migration: a state without it has none). */
    public static final String INGRESS_CONNECTIONS = "ingressconnections";
    /** Slipway's secret store (added in schema 3 without a migration: a state without it has no secrets). */
    public static final String SECRETS = "secrets";
    private static final String SERVICE_PREFIX = "service/";
    private static final String OPERATION_PREFIX = "operation/";

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule()).registerModule(new Jdk8Module())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private StateSchema() {
    }

    public static String serviceKey(String serviceId) {
        return SERVICE_PREFIX + serviceId;
    }

    public static boolean isServiceKey(String key) {
        return key.startsWith(SERVICE_PREFIX);
    }

    public static String operationKey(String serviceId, String operationId) {
        return OPERATION_PREFIX + serviceId + "/" + operationId;
    }

    public static boolean isOperationKey(String key) {
        return key.startsWith(OPERATION_PREFIX);
    }

    /** The id of the service an operation's document belongs to. */
    public static String serviceIdOfOperation(String key) {
        return key.substring(OPERATION_PREFIX.length(), key.indexOf('/', OPERATION_PREFIX.length()));
    }

    public static String write(Object document) {
        try {
            return MAPPER.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write Slipway's state as JSON", e);
        }
    }

    /** A document read back; a damaged one says which and what to do. */
    public static <T> T read(String key, String json, Class<T> type) {
        try {
            T value = MAPPER.readValue(json, type);
            if (value == null) {
                throw new IllegalArgumentException("it is null");
            }
            return value;
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalStateException("Slipway's stored state has a damaged document '" + key + "' ("
                    + e.getMessage() + "); restore the state from a backup, or move it away to start empty", e);
        }
    }
}
