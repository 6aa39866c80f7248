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

    /**
     * A current OCSP response for {@code certificate}, from the responder its issuer names in it (for the router to
     * staple to handshakes), if it names one and the responder answers; empty otherwise. May block: called off the
     * event loops.
     */
    default Optional<byte[]> ocspResponse(IssuedCertificate certificate) {
        return Optional.empty();
    }

    /** Why this authority can never issue a certificate for {@code names} (a wildcard without DNS-01), if it cannot. */
    default Optional<String> cannotIssue(List<String> names) {
        return Optional.empty();
    }

    /**
     * A certificate for names this authority does not validate: services' own domains and clients asking for no name
     * or an unknown one. By default {@link #issueAtOnce}; an ACME authority gives its local CA's.
     */
    default Optional<IssuedCertificate> fallbackCertificate(List<String> names) {
        return issueAtOnce(names);
    }

    /**
     * Starts issuing a certificate for {@code names} (a domain, and its {@code www.} name when asked for), which are to
     * point at {@code dnsTarget} (the service's own domain).
     */
    Order order(List<String> names, String dnsTarget) throws IOException;

    /**
     * Where this authority's HTTP-01 challenges are answered: the router, on every host, at
     * {@code /.well-known/acme-challenge/<token>}. Called once, before the first order.
     */
    default void answerHttpChallengesWith(HttpChallenges challenges) {
    }

    /** The router's answers to ACME HTTP-01 challenges. */
    interface HttpChallenges {
        /** Answers {@code token} with {@code keyAuthorization}; null stops answering it. */
        void answer(String token, String keyAuthorization);
    }

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
