package dev.slipway.core.push;

/**
 * Where a service's push webhooks are delivered and the secret they are signed with: GitHub's and Gitea's HMAC key,
 * GitLab's secret token, a Docker registry's {@code Authorization: Bearer} header.
 *
 * @param path   the path on the API port, {@code /webhooks/<service-id>}
 * @param secret never logged, never in {@link #toString()}
 */
public record Webhook(String path, String secret) {
    @Override
    public String toString() {
        return "Webhook[" + path + "]";
    }
}
