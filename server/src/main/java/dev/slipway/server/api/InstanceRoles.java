package dev.slipway.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.core.iam.Principal;
import dev.slipway.core.model.Shapes;
import dev.slipway.core.spi.InstanceCredentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Instance roles: the instances of a service with an {@code InstanceRoleArn} call the API with short-lived credentials
 * of that role, through the endpoint the AWS SDKs read ({@code AWS_CONTAINER_CREDENTIALS_FULL_URI},
 * {@code GET /slipway/credentials} on the API port, with {@code AWS_CONTAINER_AUTHORIZATION_TOKEN}).
 *
 * <p>Nothing is kept per instance: every value is derived from a key of the server's ({@code
 * <state-dir>/instance-roles.key}, 0600), so credentials survive a restart of the control plane. The authorization
 * token is the service and role, MACed; the temporary access key id is random ({@code ASIA...}), its secret is the MAC
 * of the id, and the session token holds the id, the role, the service and the expiry (an hour), MACed. A request
 * signed with such a key is accepted only with its session token, before the expiry, while the role is still a role
 * of the principals; the SDKs fetch new credentials before they expire.
 */
public final class InstanceRoles implements InstanceCredentials {
    public static final String PATH = "/slipway/credentials";
    static final Duration LIFETIME = Duration.ofHours(1);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder UNB64 = Base64.getUrlDecoder();
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private final byte[] key;
    private final Supplier<String> endpoint;
    private final String region;
    private final SecureRandom random = new SecureRandom();

    private InstanceRoles(byte[] key, Supplier<String> endpoint, String region) {
        this.key = key;
        this.endpoint = endpoint;
        this.region = region;
    }

    /**
     * Instances reach the credentials endpoint at {@code http://127.0.0.1:<API port>} (on the host's network), unless
     * {@code baseUrl} says where they reach the API instead ({@code https://slipway.slipway.svc:8484} from pods, say).
     */
    public static Supplier<String> endpoint(Optional<String> baseUrl, IntSupplier apiPort) {
        baseUrl.ifPresent(InstanceRoles::checkReachable);
        return () -> baseUrl.map(u -> u.replaceAll("/+$", "")).orElseGet(() -> "http://127.0.0.1:" + apiPort.getAsInt()) + PATH;
    }

    /** The AWS SDKs' container credentials provider takes https, or http to a loopback or the ECS/EKS agent's address only. */
    private static void checkReachable(String url) {
        java.net.URI uri;
        try {
            uri = java.net.URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--instance-credentials-url " + url + " is not a URL: " + e.getMessage());
        }
        String host = uri.getHost() == null ? "" : uri.getHost().replaceAll("^\\[|\\]$", "");
        boolean allowedHttp = "http".equals(uri.getScheme()) && (host.equals("localhost") || host.startsWith("127.")
                || host.equals("::1") || host.equals("169.254.170.2") || host.equals("169.254.170.23") || host.equals("fd00:ec2::23"));
        if (!"https".equals(uri.getScheme()) && !allowedHttp) {
            throw new IllegalArgumentException("--instance-credentials-url " + url + " must be https (or http to a loopback "
                    + "address): the AWS SDKs refuse container credentials from any other http URL");
        }
    }

    /** Roles whose tokens are MACed with {@code key} (32 bytes: the same for every replica that shares a state). */
    public static InstanceRoles withKey(byte[] key, Supplier<String> endpoint, String region) {
        return new InstanceRoles(key.clone(), endpoint, region);
    }

    /** The key of {@code stateDir} (made on the first start), where instances reach the endpoint, and the region. */
    public static InstanceRoles open(Path stateDir, Supplier<String> endpoint, String region) {
        Path file = stateDir.resolve("instance-roles.key");
        try {
            if (!Files.exists(file)) {
                byte[] fresh = new byte[32];
                new SecureRandom().nextBytes(fresh);
                dev.slipway.core.internal.PrivateFiles.directory(stateDir);
                dev.slipway.core.internal.PrivateFiles.file(file);
                Files.write(file, fresh);
            }
            byte[] key = Files.readAllBytes(file);
            if (key.length != 32) {
                throw new IllegalStateException(file + " is damaged (it must hold 32 bytes); delete it to make a new one "
                        + "(instances with a role then get new credentials at their next deployment)");
            }
            return new InstanceRoles(key, endpoint, region);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, String> environment(String serviceArn, String roleArn) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint.get());
        env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", sign("instance", serviceArn + "\n" + roleArn));
        env.put("AWS_REGION", region);
        env.put("AWS_DEFAULT_REGION", region);
        return env;
    }

    /**
     * The answer to {@code GET /slipway/credentials} with {@code authorization}: the role's credentials as the container
     * credentials provider reads them, or an {@link ApiException} (403) saying why not.
     */
    JsonNode credentials(String authorization, Function<String, Optional<Principal>> roles) {
        String payload = verified("instance", authorization == null ? "" : authorization.trim()).orElseThrow(() ->
                new ApiException("AccessDeniedException", 403, "The authorization token is not one this server gave; it "
                        + "is in AWS_CONTAINER_AUTHORIZATION_TOKEN of the instances of a service with an InstanceRoleArn"));
        String[] parts = payload.split("\n", 2);
        String roleArn = parts[1];
        if (roles.apply(roleArn).isEmpty()) {
            throw new ApiException("AccessDeniedException", 403, "InstanceRoleArn " + roleArn + " is not a role of this "
                    + "server's principals (slipway server --principals FILE, a principal with \"type\": \"role\")");
        }
        StringBuilder id = new StringBuilder("ASIA");
        for (int i = 0; i < 16; i++) {
            id.append(BASE32[random.nextInt(32)]);
        }
        Instant expires = Instant.now().plus(LIFETIME).truncatedTo(ChronoUnit.SECONDS);
        ObjectNode session = Shapes.mapper().createObjectNode().put("k", id.toString()).put("r", roleArn).put("s", parts[0])
                .put("e", expires.getEpochSecond());
        ObjectNode answer = Shapes.mapper().createObjectNode();
        answer.put("AccessKeyId", id.toString()).put("SecretAccessKey", secretOf(id.toString()))
                .put("Token", sign("session", session.toString())).put("Expiration", expires.toString()).put("RoleArn", roleArn);
        return answer;
    }

    /** A temporary key's role and secret, if {@code sessionToken} is this server's, for {@code keyId}, and not expired. */
    Optional<Session> session(String keyId, String sessionToken) {
        if (!keyId.startsWith("ASIA") || sessionToken == null) {
            return Optional.empty();
        }
        return verified("session", sessionToken.trim()).flatMap(json -> {
            try {
                JsonNode s = Shapes.mapper().readTree(json);
                if (!s.path("k").asText().equals(keyId) || Instant.ofEpochSecond(s.path("e").asLong()).isBefore(Instant.now())) {
                    return Optional.empty();
                }
                return Optional.of(new Session(s.path("r").asText(), secretOf(keyId)));
            } catch (IOException e) {
                return Optional.empty();
            }
        });
    }

    /** A temporary key's role, and the secret it signs with. */
    record Session(String roleArn, String secret) {
    }

    private String secretOf(String keyId) {
        return B64.encodeToString(mac("secret", keyId.getBytes(StandardCharsets.UTF_8))).substring(0, 40);
    }

    private String sign(String purpose, String payload) {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        return B64.encodeToString(bytes) + "." + B64.encodeToString(mac(purpose, bytes));
    }

    private Optional<String> verified(String purpose, String token) {
        int dot = token.indexOf('.');
        if (dot <= 0) {
            return Optional.empty();
        }
        try {
            byte[] payload = UNB64.decode(token.substring(0, dot));
            byte[] given = UNB64.decode(token.substring(dot + 1));
            return MessageDigest.isEqual(given, mac(purpose, payload)) ? Optional.of(new String(payload, StandardCharsets.UTF_8))
                    : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private byte[] mac(String purpose, byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(purpose.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
