package dev.slipway.core.tls;

import java.util.Optional;

/**
 * The certificates the router presents, chosen per TLS connection by the server name the client asks for (SNI). Calls
 * come from the router's event loops: they must not block (issuing, where a certificate must be issued, is done
 * before, or returns a certificate issued at once by a local CA).
 */
public interface ServerCertificates {
    /**
     * The certificate for {@code serverName} (lower case; null when the client sent no name): the one of the custom
     * domain or the service's domain it names, else the default one; empty when there is none at all.
     */
    Optional<IssuedCertificate> forServerName(String serverName);

    /**
     * The OCSP response to staple to a handshake presenting {@code certificate}, if one is at hand (never waits: a
     * missing or stale one is fetched in the background for later handshakes).
     */
    default Optional<byte[]> ocspResponse(IssuedCertificate certificate) {
        return Optional.empty();
    }
}
