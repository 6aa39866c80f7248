package dev.slipway.server.api;

import dev.slipway.core.iam.ManagedPolicies;
import dev.slipway.core.iam.Principal;
import dev.slipway.core.iam.Principals;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Who may call the API: the server's own key pair, which acts as the administrator ({@code slipway-admin}, with
 * {@code AdministratorAccess}), and the principals given ({@code --principals FILE}, or Java), read anew on each call
 * from {@code principals} (so a reloaded file takes effect at once).
 */
public final class ApiKeys {
    /** The name the server's own key pair acts as. */
    public static final String ADMINISTRATOR = "slipway-admin";

    private final Principal administrator;
    private final Supplier<Principals> principals;

    public ApiKeys(ApiCredentials credentials, Supplier<Principals> principals) {
        this.administrator = new Principal(ADMINISTRATOR, Principal.Type.USER, java.util.Map.of(),
                List.of(new Principal.AccessKey(credentials.accessKeyId(), credentials.secretAccessKey())),
                List.of(ManagedPolicies.named(ManagedPolicies.ADMINISTRATOR).orElseThrow()));
        this.principals = principals;
    }

    /** Only the server's key pair. */
    public static ApiKeys administratorOnly(ApiCredentials credentials) {
        return new ApiKeys(credentials, () -> Principals.of(List.of()));
    }

    /** The principal an access key belongs to. */
    Optional<Principal> principal(String accessKeyId) {
        if (administrator.accessKeys().get(0).accessKeyId().equals(accessKeyId)) {
            return Optional.of(administrator);
        }
        return principals.get().byAccessKey(accessKeyId);
    }

    /** The secret of an access key, for verifying a signature. */
    Optional<String> secret(String accessKeyId) {
        return principal(accessKeyId).flatMap(p -> p.accessKeys().stream().filter(k -> k.accessKeyId().equals(accessKeyId))
                .findFirst()).map(Principal.AccessKey::secretAccessKey);
    }
}
