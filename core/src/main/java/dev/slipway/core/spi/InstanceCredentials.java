package dev.slipway.core.spi;

import java.util.Map;

/**
 * Gives the instances of a service with an {@code InstanceRoleArn} what the AWS SDKs read to get credentials for that
 * role: the container credentials provider's {@code AWS_CONTAINER_CREDENTIALS_FULL_URI} and
 * {@code AWS_CONTAINER_AUTHORIZATION_TOKEN} (and the region). {@code slipway server} serves that endpoint; an embedded
 * Slipway without an API server gives none.
 */
public interface InstanceCredentials {
    /** The variables every such instance gets (held as secrets: never logged). */
    Map<String, String> environment(String serviceArn, String roleArn);

    InstanceCredentials NONE = (service, role) -> Map.of();

    /** The variables this provider sets, which a revision without a role must not keep. */
    java.util.Set<String> NAMES = java.util.Set.of("AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN");
}
