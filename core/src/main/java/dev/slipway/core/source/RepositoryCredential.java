package dev.slipway.core.source;

/**
 * What a connection's handshake gave Slipway to reach private repositories: an access token (HTTPS) or an SSH private
 * key (PEM or OpenSSH format). Never logged; {@link #toString()} hides the secret.
 */
public record RepositoryCredential(Kind kind, String secret) {
    /** The kind of secret. */
    public enum Kind { TOKEN, SSH_KEY }

    public static RepositoryCredential token(String token) {
        return new RepositoryCredential(Kind.TOKEN, token);
    }

    public static RepositoryCredential sshKey(String privateKey) {
        return new RepositoryCredential(Kind.SSH_KEY, privateKey);
    }

    @Override
    public String toString() {
        return "RepositoryCredential[" + kind + ", secret hidden]";
    }
}
