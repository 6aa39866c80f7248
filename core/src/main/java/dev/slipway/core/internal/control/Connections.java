package dev.slipway.core.internal.control;

import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.ResourceNotFoundException;
import dev.slipway.core.ServiceQuotaExceededException;
import dev.slipway.core.internal.Arns;
import dev.slipway.core.model.Connection;
import dev.slipway.core.model.ConnectionStatus;
import dev.slipway.core.model.ProviderType;
import dev.slipway.core.model.SourceConfiguration;
import dev.slipway.core.source.HostKeyPins;
import dev.slipway.core.source.RepositoryCredential;
import dev.slipway.core.internal.store.StoredConnections;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Connections to source code providers and what their handshakes gave (a token or an SSH key, and pinned SSH host
 * keys). Not thread-safe: the writer changes its own copy, readers read a published one.
 */
final class Connections {
    /** A connection, its handshake secret, and its pinned host keys (which a fetch may add to). */
    record Stored(Connection connection, Optional<RepositoryCredential> credential, HostKeyPins hostKeys) {
    }

    private final Arns arns;
    private final int quota;
    private final Map<String, Stored> byArn = new LinkedHashMap<>();

    Connections(Arns arns, int quota) {
        this.arns = arns;
        this.quota = quota;
    }

    Connection create(String name, ProviderType provider) {
        if (byArn.values().stream().anyMatch(c -> c.connection().connectionName().equals(name))) {
            throw new InvalidRequestException("A connection named " + name + " already exists");
        }
        if (byArn.size() >= quota) {
            throw new ServiceQuotaExceededException("You have reached the quota of " + quota
                    + " connections; delete one before creating another");
        }
        String arn = arns.connection(name, UUID.randomUUID().toString().replace("-", ""));
        Connection c = new Connection(name, arn, provider, ConnectionStatus.PENDING_HANDSHAKE, Instant.now());
        byArn.put(arn, new Stored(c, Optional.empty(), new HostKeyPins(Map.of())));
        return c;
    }

    Collection<Stored> all() {
        return byArn.values();
    }

    boolean exists(String arn) {
        return byArn.containsKey(arn);
    }

    Stored find(String arn, String field) {
        arns.parts(arn, "connection", field);
        Stored c = byArn.get(arn);
        if (c == null) {
            throw new ResourceNotFoundException("No connection " + arn);
        }
        return c;
    }

    /** Deletes a connection no service uses; {@code users} names the services that use it. */
    Connection delete(String arn, List<String> users) {
        Stored c = find(arn, "connectionArn");
        if (!users.isEmpty()) {
            throw new InvalidRequestException("Connection " + c.connection().connectionName() + " is used by service(s) "
                    + users + "; delete them or update them to another connection first");
        }
        byArn.remove(arn);
        Connection old = c.connection();
        return new Connection(old.connectionName(), old.connectionArn(), old.providerType(), ConnectionStatus.DELETED, old.createdAt());
    }

    /** Completes a handshake with an access token or SSH key: the connection becomes AVAILABLE. */
    Connection completeHandshake(String arn, RepositoryCredential credential) {
        Stored c = find(arn, "connectionArn");
        if (credential.secret() == null || credential.secret().isBlank()) {
            throw new InvalidRequestException((credential.kind() == RepositoryCredential.Kind.TOKEN ? "The token" : "The SSH key")
                    + " must not be empty");
        }
        if (credential.kind() == RepositoryCredential.Kind.SSH_KEY && !credential.secret().contains("PRIVATE KEY-----")) {
            throw new InvalidRequestException("The SSH key must be a private key in PEM or OpenSSH format "
                    + "(-----BEGIN ... PRIVATE KEY-----), not a public key or a path");
        }
        Connection old = c.connection();
        Connection available = new Connection(old.connectionName(), old.connectionArn(), old.providerType(),
                ConnectionStatus.AVAILABLE, old.createdAt());
        byArn.put(arn, new Stored(available, Optional.of(new RepositoryCredential(credential.kind(), credential.secret().strip())),
                c.hostKeys()));
        return available;
    }

    /** The connection a source uses, checked to be AVAILABLE; empty when it uses none. */
    Optional<Stored> usedBy(SourceConfiguration source) {
        if (source.authenticationConfiguration() == null || source.authenticationConfiguration().connectionArn() == null) {
            return Optional.empty();
        }
        Stored c = find(source.authenticationConfiguration().connectionArn(),
                "sourceConfiguration.authenticationConfiguration.connectionArn");
        if (c.connection().status() != ConnectionStatus.AVAILABLE) {
            throw new InvalidRequestException("Connection " + c.connection().connectionName() + " is "
                    + c.connection().status() + "; complete its handshake before a service uses it");
        }
        return Optional.of(c);
    }

    /** Keeps the SSH host keys a fetch with the connection pinned. */
    void pin(String arn, Map<String, String> hostKeys) {
        Stored c = byArn.get(arn);
        if (c != null && !c.hostKeys().snapshot().equals(hostKeys)) {
            byArn.put(arn, new Stored(c.connection(), c.credential(), new HostKeyPins(hostKeys)));
        }
    }

    StoredConnections export() {
        return new StoredConnections(byArn.values().stream().map(c -> new StoredConnections.Connection(
                c.connection().connectionName(), c.connection().connectionArn(), c.connection().providerType().name(),
                c.connection().status().name(), c.connection().createdAt(), c.credential().map(x -> x.kind().name()).orElse(null),
                c.credential().map(RepositoryCredential::secret).orElse(null), c.hostKeys().snapshot())).toList());
    }

    /** Replaces every connection with stored ones. */
    void restore(StoredConnections stored) {
        byArn.clear();
        for (StoredConnections.Connection c : stored.connections()) {
            Connection connection = new Connection(c.name(), c.arn(), ProviderType.valueOf(c.providerType()),
                    ConnectionStatus.valueOf(c.status()), c.createdAt());
            Optional<RepositoryCredential> credential = c.credentialKind() == null ? Optional.empty()
                    : Optional.of(new RepositoryCredential(RepositoryCredential.Kind.valueOf(c.credentialKind()), c.credentialSecret()));
            byArn.put(c.arn(), new Stored(connection, credential, new HostKeyPins(c.sshHostKeys() == null ? Map.of() : c.sshHostKeys())));
        }
    }
}
