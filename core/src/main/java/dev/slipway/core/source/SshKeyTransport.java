package dev.slipway.core.source;

import dev.slipway.core.observe.LogSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.util.List;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * Git over SSH (JGit's Apache MINA sshd transport) authenticated with a connection's private key only, in a
 * private, temporary SSH directory: the user's own {@code ~/.ssh} is neither read nor written. A host's key is pinned
 * the first time (its fingerprint goes to the deployment log) and a different key later is refused.
 */
final class SshKeyTransport implements AutoCloseable {
    private final Path dir;
    private final SshdSessionFactory factory;

    private SshKeyTransport(Path dir, SshdSessionFactory factory) {
        this.dir = dir;
        this.factory = factory;
    }

    static SshKeyTransport create(String privateKey, HostKeyPins pins, Path dir, LogSink log) {
        try {
            Files.createDirectories(dir);
            Path key = dir.resolve("id_connection");
            Files.deleteIfExists(key);
            Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(key, privateKey.strip() + "\n");
            SshdSessionFactory factory = new SshdSessionFactoryBuilder()
                    .setHomeDirectory(dir.toFile())
                    .setSshDirectory(dir.toFile())
                    .setDefaultIdentities(d -> List.of(key))
                    .setPreferredAuthentications("publickey")
                    .setServerKeyDatabase((home, ssh) -> new PinnedServerKeys(pins, log))
                    .build(null);
            return new SshKeyTransport(dir, factory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the SSH key of the connection", e);
        }
    }

    void configure(Transport transport) {
        if (transport instanceof SshTransport ssh) {
            ssh.setSshSessionFactory(factory);
        }
    }

    @Override
    public void close() {
        factory.close();
        SourceFetcher.deleteTree(dir);
    }

    /** Checks the server's host key against the connection's pins. */
    private record PinnedServerKeys(HostKeyPins pins, LogSink log) implements ServerKeyDatabase {
        @Override
        public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
            return List.of();
        }

        @Override
        public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
                              Configuration config, CredentialsProvider provider) {
            String fingerprint = org.apache.sshd.common.config.keys.KeyUtils.getFingerPrint(serverKey);
            boolean known = pins.pinned(connectAddress).isPresent();
            if (!pins.accept(connectAddress, fingerprint)) {
                log.line("SSH host " + connectAddress + " presented " + fingerprint + " but the connection pinned "
                        + pins.pinned(connectAddress).orElse("?") + " for it: refusing (possible man-in-the-middle; if the "
                        + "host's key really changed, create a new connection)");
                return false;
            }
            log.line("SSH host " + connectAddress + " presented its " + (known ? "pinned " : "") + serverKey.getAlgorithm()
                    + " key " + fingerprint + (known ? "" : ", now pinned for this connection"));
            return true;
        }
    }
}
