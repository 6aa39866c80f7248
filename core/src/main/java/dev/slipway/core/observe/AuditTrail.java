package dev.slipway.core.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The audit trail: one CloudTrail-shaped record per API call, as JSON lines appended to {@code <dir>/audit.log}
 * (0600), which is rotated by size ({@code audit.log.1} is the newest rotated one, up to {@code keep} are kept).
 * {@link #redacted} replaces what the guide hides in CloudTrail ({@code HIDDEN_DUE_TO_SECURITY_REASONS}: commands,
 * environment variables) and what is secret besides (secrets, tokens, keys), and spells member names as CloudTrail
 * does (lower camel case).
 */
public final class AuditTrail implements AutoCloseable {
    /** What the guide writes in place of a hidden value. */
    public static final String HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS";
    public static final String FILE_NAME = "audit.log";
    /** Members whose values are hidden, by their API names. */
    private static final Set<String> HIDDEN_MEMBERS = Set.of("BuildCommand", "StartCommand", "RuntimeEnvironmentVariables",
            "RuntimeEnvironmentSecrets", "Token", "SshPrivateKey", "Secret", "SecretAccessKey", "PrivateKey", "Password",
            "SecretString", "SecretBinary");

    private final JsonLinesFile file;

    private AuditTrail(JsonLinesFile file) {
        this.file = file;
    }

    /** The trail in {@code dir} (made 0700 if missing), rotated past {@code maxBytes}, {@code keep} rotated files kept. */
    public static AuditTrail open(Path dir, long maxBytes, int keep) {
        return new AuditTrail(JsonLinesFile.open(dir, FILE_NAME, maxBytes, keep));
    }

    /** Appends one record (one line); rotates first when the file is full. A record that cannot be written is an error. */
    public void append(ObjectNode record) {
        file.append(record);
    }

    /** Every record of the trail in {@code dir}, oldest first (rotated files first). */
    public static List<String> lines(Path dir) {
        return JsonLinesFile.lines(dir, FILE_NAME);
    }

    /**
     * {@code value} (an API request or response, AWS JSON member names) as CloudTrail shows it: member names in lower
     * camel case, hidden members' values replaced by {@link #HIDDEN}. Null stays null.
     */
    public static JsonNode redacted(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        if (value.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            value.fields().forEachRemaining(e -> out.set(camel(e.getKey()),
                    HIDDEN_MEMBERS.contains(e.getKey()) ? JsonNodeFactory.instance.textNode(HIDDEN) : redactedOrNull(e.getValue())));
            return out;
        }
        if (value.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            value.forEach(v -> out.add(redactedOrNull(v)));
            return out;
        }
        return value;
    }

    private static JsonNode redactedOrNull(JsonNode v) {
        JsonNode r = redacted(v);
        return r == null ? JsonNodeFactory.instance.nullNode() : r;
    }

    /** {@code ServiceArn} → {@code serviceArn}, {@code DNSTarget} → {@code dnsTarget}, {@code VpcDNSTargets} → {@code vpcDNSTargets}. */
    static String camel(String name) {
        int upper = 0;
        while (upper < name.length() && Character.isUpperCase(name.charAt(upper))) {
            upper++;
        }
        if (upper <= 1) {
            return name.isEmpty() ? name : name.substring(0, 1).toLowerCase(Locale.ROOT) + name.substring(1);
        }
        int cut = upper == name.length() ? upper : upper - 1; // the last capital of a run starts the next word
        return name.substring(0, cut).toLowerCase(Locale.ROOT) + name.substring(cut);
    }

    @Override
    public void close() {
        // nothing held open between records
    }
}
