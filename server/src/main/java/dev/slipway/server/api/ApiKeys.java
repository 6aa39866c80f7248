package dev.slipway.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.core.iam.ManagedPolicies;
import dev.slipway.core.iam.Principal;
import dev.slipway.core.iam.Principals;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Who may call the API: the server's own key pair, which acts as the administrator ({@code slipway-admin}, with
 * {@code AdministratorAccess}), the principals given ({@code --principals FILE}, or Java), read anew on each call from
 * {@code principals} (so a reloaded file takes effect at once), and the temporary keys of instance roles
 * ({@link InstanceRoles}), which act as their role.
 */
public final class ApiKeys {
    /** The name the server's own key pair acts as. */
    public static final String ADMINISTRATOR = "slipway-admin";

    private final Principal administrator;
    private final Supplier<Principals> principals;
    private final Optional<InstanceRoles> roles;

    public ApiKeys(ApiCredentials credentials, Supplier<Principals> principals) {
        this(credentials, principals, Optional.empty());
    }

    public ApiKeys(ApiCredentials credentials, Supplier<Principals> principals, Optional<InstanceRoles> roles) {
        this.administrator = new Principal(ADMINISTRATOR, Principal.Type.USER, Map.of(),
                List.of(new Principal.AccessKey(credentials.accessKeyId(), credentials.secretAccessKey())),
                List.of(ManagedPolicies.named(ManagedPolicies.ADMINISTRATOR).orElseThrow()));
        this.principals = principals;
        this.roles = roles;
    }

    /** Only the server's key pair. */
    public static ApiKeys administratorOnly(ApiCredentials credentials) {
        return new ApiKeys(credentials, () -> Principals.of(List.of()));
    }

    /** The principal a request's access key (and session token, for an instance role's key) belongs to. */
    Optional<Principal> principal(String accessKeyId, Map<String, String> headers) {
        if (administrator.accessKeys().get(0).accessKeyId().equals(accessKeyId)) {
            return Optional.of(administrator);
        }
        Optional<Principal> direct = principals.get().byAccessKey(accessKeyId);
        if (direct.isPresent()) {
            return direct;
        }
        return session(accessKeyId, headers).flatMap(s -> role(s.roleArn()));
    }

    /** The secret a request's access key signs with, for verifying its signature. */
    Optional<String> secret(String accessKeyId, Map<String, String> headers) {
        if (administrator.accessKeys().get(0).accessKeyId().equals(accessKeyId)) {
            return Optional.of(administrator.accessKeys().get(0).secretAccessKey());
        }
        Optional<String> direct = principals.get().secret(accessKeyId);
        if (direct.isPresent()) {
            return direct;
        }
        return session(accessKeyId, headers).filter(s -> role(s.roleArn()).isPresent()).map(InstanceRoles.Session::secret);
    }

    private Optional<InstanceRoles.Session> session(String accessKeyId, Map<String, String> headers) {
        return roles.flatMap(r -> r.session(accessKeyId, headers.get("x-amz-security-token")));
    }

    /** The role principal an InstanceRoleArn names ({@code arn:aws:iam::<account>:role/<name>}). */
    Optional<Principal> role(String roleArn) {
        return principals.get().all().stream().filter(p -> p.type() == Principal.Type.ROLE && roleArn.endsWith(":role/" + p.name()))
                .findFirst();
    }

    /** {@code GET /slipway/credentials}: an instance's role credentials, or why not. */
    Optional<JsonNode> instanceCredentials(String authorization) {
        return roles.map(r -> r.credentials(authorization, this::role));
    }
}
