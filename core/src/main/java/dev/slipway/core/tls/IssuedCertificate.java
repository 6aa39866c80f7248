package dev.slipway.core.tls;

import java.time.Instant;
import java.util.List;

/**
 * A certificate and its private key, as a certificate authority issued them: PEM text, the leaf certificate first,
 * then the intermediates. The key is a secret: {@link #toString()} leaves it out.
 *
 * @param names the DNS names the certificate is for
 */
public record IssuedCertificate(List<String> names, String certificateChainPem, String privateKeyPem, Instant notBefore,
                                Instant notAfter) {
    public IssuedCertificate {
        names = List.copyOf(names);
    }

    /**
     * Whether it is time to renew: less than a third of its lifetime is left (30 days of Let's Encrypt's 90). Asked on
     * every TLS handshake that presents it, so in whole seconds (Duration.dividedBy computes with BigDecimal).
     */
    public boolean dueForRenewal(Instant now) {
        long third = (notAfter.getEpochSecond() - notBefore.getEpochSecond()) / 3;
        return now.isAfter(notAfter.minusSeconds(third));
    }

    @Override
    public String toString() {
        return "IssuedCertificate[names=" + names + ", notAfter=" + notAfter + ", privateKey=HIDDEN]";
    }
}
