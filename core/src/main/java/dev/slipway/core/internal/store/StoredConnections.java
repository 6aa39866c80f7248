package dev.slipway.core.internal.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Every connection (document {@code connections}), with what its handshake gave and the SSH host keys it pinned. */
public record StoredConnections(List<Connection> connections) {
    /** One connection; {@code credentialKind} and {@code credentialSecret} are null until its handshake completed. */
    public record Connection(String name, String arn, String providerType, String status, Instant createdAt,
                             String credentialKind, String credentialSecret, Map<String, String> sshHostKeys) {
    }
}
