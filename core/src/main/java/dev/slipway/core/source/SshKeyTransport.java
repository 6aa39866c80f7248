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
 * private, temporary SSH directory: the user's own {@code ~/.ssh} is neither read nor written. The server's host key
 * is accepted and its fingerprint written to the deployment log.
 */
final class SshKeyTransport implements AutoCloseable {
    private final Path dir;
    private final SshdSessionFactory factory;

    private SshKeyTransport(Path dir, SshdSessionFactory factory) {
        this.dir = dir;
        this.factory = factory;
    }

    static SshKeyTransport create(String privateKey, Path dir, LogSink log) {
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
                    .setServerKeyDatabase((home, ssh) -> new LoggingServerKeys(log))
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

    /** Accepts the server's host key and says which one it was. */
    private record LoggingServerKeys(LogSink log) implements ServerKeyDatabase {
        @Override
        public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
            return List.of();
        }

        @Override
        public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
                              Configuration config, CredentialsProvider provider) {
            log.line("SSH host " + connectAddress + " presented a " + serverKey.getAlgorithm() + " key, SHA256:"
                    + org.apache.sshd.common.config.keys.KeyUtils.getFingerPrint(serverKey).replace("SHA256:", ""));
            return true;
        }
    }
}
