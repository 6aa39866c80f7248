package dev.slipway.core.internal.control;

import dev.slipway.core.model.CertificateValidationRecord;
import dev.slipway.core.model.CustomDomain;
import dev.slipway.core.model.CustomDomainAssociationStatus;
import dev.slipway.core.tls.IssuedCertificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A custom domain of a service as the registry keeps it (inside the service's record and document): its status, the
 * records its owner must create, and its certificate once issued (a secret, as RuntimeEnvironmentSecrets are).
 *
 * @param name    lower case, without a trailing dot; {@code *.example.com} for a wildcard
 * @param failure why it is CREATE_FAILED, if it is
 */
record DomainRecord(String name, boolean www, CustomDomainAssociationStatus status, List<CertificateValidationRecord> records,
                    Optional<IssuedCertificate> certificate, Optional<String> failure) {
    DomainRecord {
        records = List.copyOf(records);
    }

    /** The host names it covers: the domain, and {@code www.<domain>} when asked for. */
    List<String> hostNames() {
        List<String> names = new ArrayList<>(List.of(name));
        if (www) {
            names.add("www." + name);
        }
        return names;
    }

    DomainRecord with(CustomDomainAssociationStatus next, List<CertificateValidationRecord> nextRecords,
                      Optional<IssuedCertificate> nextCertificate, Optional<String> nextFailure) {
        return new DomainRecord(name, www, next, nextRecords, nextCertificate, nextFailure);
    }

    CustomDomain shape() {
        return new CustomDomain(name, www, records, status);
    }

    @Override
    public String toString() {
        return "DomainRecord[" + name + (www ? " +www" : "") + ", " + status + "]";
    }
}
