package dev.slipway.core.spi;

import dev.slipway.core.model.CertificateValidationRecord;
import dev.slipway.core.tls.IssuedCertificate;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where the certificates of custom domains and service domains come from: a local certificate authority (a root kept
 * in the state directory, issuing at once, for development) or an ACME (RFC 8555) directory such as Let's Encrypt's.
 */
public interface CertificateAuthority {
    /** What it is, for logs and messages: {@code local CA (/var/lib/slipway/local-ca.pem)}, {@code ACME https://...}. */
    String describe();

    /**
     * Issues a certificate for {@code names} at once, without validating them, where this authority may (the local
     * CA); empty where names must be validated first ({@link #order}).
     */
    Optional<IssuedCertificate> issueAtOnce(List<String> names);

    /** Starts issuing a certificate for {@code names} (a domain, and its {@code www.} name when asked for). */
    Order order(List<String> names) throws IOException;

    /** A certificate on its way. */
    interface Order {
        /** The DNS records the domain's owner must create for the names to be validated (none needed: empty). */
        List<CertificateValidationRecord> validationRecords();

        /**
         * Moves the order on and says where it is: empty while the authority still waits for the validation records,
         * the certificate once issued.
         *
         * @throws IOException when the authority refused the order or the validation failed, with why
         */
        Optional<IssuedCertificate> poll() throws IOException;
    }
}
