package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.crypto.KeyRing;
import dev.slipway.core.store.StateKeysets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Where an instance is told to fetch its role's credentials (an address the AWS SDKs accept, or a clear refusal at
 * start), and that replicas given the same master key hand out tokens any of them accepts.
 */
class InstanceRolesTest {
    private static final String SERVICE = "arn:aws:apprunner:us-east-1:000000000000:service/app/0123456789abcdef0123456789abcdef";
    private static final String ROLE = "arn:aws:iam::000000000000:role/lister";

    @Test
    void instancesAreToldAnAddressTheAwsSdksAccept() {
        assertThat(InstanceRoles.endpoint(Optional.empty(), () -> 8484).get()).isEqualTo("http://127.0.0.1:8484/slipway/credentials");
        assertThat(InstanceRoles.endpoint(Optional.of("https://slipway.slipway.svc:8484/"), () -> 1).get())
                .isEqualTo("https://slipway.slipway.svc:8484/slipway/credentials");
        assertThat(InstanceRoles.endpoint(Optional.of("http://169.254.170.23"), () -> 1).get())
                .isEqualTo("http://169.254.170.23/slipway/credentials");
        for (String refused : new String[] {"http://10.0.0.7:8484", "http://slipway.slipway.svc:8484", "ftp://127.0.0.1/", "not a url"}) {
            assertThatThrownBy(() -> InstanceRoles.endpoint(Optional.of(refused), () -> 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--instance-credentials-url " + refused);
        }
    }

    @Test
    void replicasGivenTheSameMasterKeyAgreeOnTokensAndOthersDoNot() {
        byte[] master = new byte[32];
        master[0] = 7;
        byte[] other = new byte[32];
        var endpoint = InstanceRoles.endpoint(Optional.empty(), () -> 8484);
        String a = token(KeyRing.open(new StateKeysets(), master, "a"), endpoint);
        String b = token(KeyRing.open(new StateKeysets(), master.clone(), "b"), endpoint);
        String c = token(KeyRing.open(new StateKeysets(), other, "c"), endpoint);
        assertThat(a).isEqualTo(b).isNotEqualTo(c);
    }

    private static String token(KeyRing keys, java.util.function.Supplier<String> endpoint) {
        return InstanceRoles.withKey(keys.derivedKey("instance roles"), endpoint, "us-east-1").environment(SERVICE, ROLE)
                .get("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    }
}
