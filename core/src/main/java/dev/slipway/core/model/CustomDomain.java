package dev.slipway.core.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A domain name associated with a service: a root domain ({@code example.com}), a subdomain ({@code login.example.com})
 * or a wildcard ({@code *.example.com}), with {@code www.<domain>} too when {@code enableWWWSubdomain}.
 */
public record CustomDomain(String domainName, @JsonProperty("EnableWWWSubdomain") Boolean enableWWWSubdomain,
                           List<CertificateValidationRecord> certificateValidationRecords, CustomDomainAssociationStatus status) {
    public CustomDomain {
        certificateValidationRecords = certificateValidationRecords == null ? List.of() : List.copyOf(certificateValidationRecords);
    }
}
