package dev.slipway.core.iam;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.core.InvalidRequestException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The principals an API server knows, by access key: from JSON ({@code slipway server --principals FILE}) or built in
 * Java. The JSON:
 * <pre>{"principals": [{"name": "ci-deployer", "type": "user", "tags": {"team": "web"},
 *                   "accessKeys": [{"accessKeyId": "AKIA...", "secretAccessKey": "... or enc:v1:..."}],
 *                   "managedPolicies": ["AWSAppRunnerReadOnlyAccess"],
 *                   "policies": [{"Version": "2012-10-17", "Statement": [...]}]}]}</pre>
 * Every mistake is an {@link InvalidRequestException} that names the principal, the JSON path and the line.
 */
public final class Principals {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** IAM's user and role names. */
    private static final Pattern NAME = Pattern.compile("[\\w+=,.@-]{1,64}");
    private static final Pattern KEY_ID = Pattern.compile("[A-Z0-9]{16,128}");
    private static final Set<String> FIELDS = Set.of("name", "type", "tags", "accessKeys", "managedPolicies", "policies");

    private final Map<String, Principal> byKey;
    private final List<Principal> all;

    private Principals(List<Principal> all) {
        Map<String, Principal> keys = new HashMap<>();
        for (Principal p : all) {
            for (Principal.AccessKey k : p.accessKeys()) {
                if (keys.putIfAbsent(k.accessKeyId(), p) != null) {
                    throw new InvalidRequestException("Access key " + k.accessKeyId() + " belongs to two principals ("
                            + keys.get(k.accessKeyId()).name() + " and " + p.name() + "); give each its own");
                }
            }
        }
        this.byKey = Map.copyOf(keys);
        this.all = List.copyOf(all);
    }

    public static Principals of(List<Principal> principals) {
        return new Principals(principals);
    }

    /** These principals and {@code more} (which must not reuse their access keys). */
    public Principals and(List<Principal> more) {
        List<Principal> next = new ArrayList<>(all);
        next.addAll(more);
        return new Principals(next);
    }

    /** The principal an access key belongs to, and its secret. */
    public Optional<Principal> byAccessKey(String accessKeyId) {
        return Optional.ofNullable(byKey.get(accessKeyId));
    }

    /** The secret of {@code accessKeyId}, if it is known. */
    public Optional<String> secret(String accessKeyId) {
        return byAccessKey(accessKeyId).flatMap(p -> p.accessKeys().stream().filter(k -> k.accessKeyId().equals(accessKeyId))
                .findFirst()).map(Principal.AccessKey::secretAccessKey);
    }

    public List<Principal> all() {
        return all;
    }

    /** Reads principals from JSON (see the class comment); {@code source} names it in errors (a file's path). */
    public static Principals fromJson(String json, String source) {
        return fromJson(json, source, sealed -> {
            throw new IllegalStateException("no key ring was given to open it");
        });
    }

    /**
     * Reads principals from JSON whose secret access keys may be sealed ({@code enc:v1:...}, as {@code slipway keys seal}
     * prints them): {@code unseal} opens those (and throws {@link IllegalStateException} saying why it cannot).
     */
    public static Principals fromJson(String json, String source, java.util.function.UnaryOperator<String> unseal) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException(source + " is not valid JSON: " + e.getOriginalMessage() + " (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        }
        JsonLines lines = JsonLines.of(json);
        PolicyDocument.Reader top = new PolicyDocument.Reader(lines, source);
        if (root == null || !root.isObject() || !root.path("principals").isArray()) {
            throw top.invalid(JsonPointer.empty(), "it must be an object with a list \"principals\"");
        }
        top.known(root, JsonPointer.empty(), Set.of("principals"));
        List<Principal> out = new ArrayList<>();
        Set<String> names = new java.util.HashSet<>();
        JsonNode list = root.get("principals");
        for (int i = 0; i < list.size(); i++) {
            JsonPointer at = JsonPointer.compile("/principals/" + i);
            JsonNode p = list.get(i);
            if (!p.isObject()) {
                throw top.invalid(at, "a principal must be an object");
            }
            String name = p.path("name").asText("");
            PolicyDocument.Reader r = new PolicyDocument.Reader(lines, source + " (principal " + (name.isEmpty() ? "#" + i : name) + ")");
            r.known(p, at, FIELDS);
            if (!p.path("name").isTextual() || !NAME.matcher(name).matches()) {
                throw r.invalid(at.append(JsonPointer.compile("/name")), "name must be 1 to 64 of letters, digits and +=,.@_-");
            }
            if (!names.add(name)) {
                throw r.invalid(at.append(JsonPointer.compile("/name")), "another principal is named " + name);
            }
            String type = p.path("type").asText("user");
            if (!type.equals("user") && !type.equals("role")) {
                throw r.invalid(at.append(JsonPointer.compile("/type")), "type must be \"user\" or \"role\"");
            }
            Map<String, String> tags = new LinkedHashMap<>();
            if (p.has("tags")) {
                if (!p.get("tags").isObject()) {
                    throw r.invalid(at.append(JsonPointer.compile("/tags")), "tags must be an object of strings");
                }
                p.get("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
            }
            List<Principal.AccessKey> keys = new ArrayList<>();
            JsonNode ks = p.path("accessKeys");
            if (!ks.isMissingNode() && !ks.isArray()) {
                throw r.invalid(at.append(JsonPointer.compile("/accessKeys")), "accessKeys must be a list");
            }
            for (int k = 0; k < ks.size(); k++) {
                JsonPointer kat = at.append(JsonPointer.compile("/accessKeys/" + k));
                JsonNode key = ks.get(k);
                r.known(key, kat, Set.of("accessKeyId", "secretAccessKey"));
                String id = key.path("accessKeyId").asText("");
                String secret = key.path("secretAccessKey").asText("");
                if (secret.startsWith(dev.slipway.core.crypto.KeyRing.SEALED)) {
                    try {
                        secret = unseal.apply(secret);
                    } catch (IllegalStateException e) {
                        throw r.invalid(kat.append(JsonPointer.compile("/secretAccessKey")), "the sealed secret access key "
                                + "cannot be opened: " + e.getMessage());
                    }
                }
                if (!KEY_ID.matcher(id).matches()) {
                    throw r.invalid(kat.append(JsonPointer.compile("/accessKeyId")), "an access key id is 16 to 128 upper-case "
                            + "letters and digits (AKIA...)");
                }
                if (secret.length() < 16) {
                    throw r.invalid(kat.append(JsonPointer.compile("/secretAccessKey")), "a secret access key is at least 16 "
                            + "characters (AWS's are 40)");
                }
                keys.add(new Principal.AccessKey(id, secret));
            }
            List<PolicyDocument> policies = new ArrayList<>();
            JsonNode managed = p.path("managedPolicies");
            for (int m = 0; m < managed.size(); m++) {
                String policy = managed.get(m).asText("");
                int index = m;
                policies.add(ManagedPolicies.named(policy).orElseThrow(() -> r.invalid(at.append(JsonPointer.compile(
                        "/managedPolicies/" + index)), "no managed policy is named '" + policy + "' (there are "
                        + String.join(", ", ManagedPolicies.names()) + ")")));
            }
            JsonNode docs = p.path("policies");
            if (!docs.isMissingNode() && !docs.isArray()) {
                throw r.invalid(at.append(JsonPointer.compile("/policies")), "policies must be a list of IAM policy documents");
            }
            for (int d = 0; d < docs.size(); d++) {
                policies.add(PolicyDocument.from(name + "/policies[" + d + "]", docs.get(d),
                        at.append(JsonPointer.compile("/policies/" + d)), lines, r.where()));
            }
            out.add(new Principal(name, type.equals("user") ? Principal.Type.USER : Principal.Type.ROLE, tags, keys, policies));
        }
        try {
            return new Principals(out);
        } catch (InvalidRequestException e) {
            throw new InvalidRequestException(source + " is not valid: " + e.getMessage());
        }
    }
}
