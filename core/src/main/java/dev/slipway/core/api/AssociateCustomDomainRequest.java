package dev.slipway.core.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Input of AssociateCustomDomain; {@code enableWWWSubdomain} defaults to true (not allowed with a wildcard). */
public record AssociateCustomDomainRequest(String serviceArn, String domainName,
                                           @JsonProperty("EnableWWWSubdomain") Boolean enableWWWSubdomain) {
}
