package dev.slipway.core.api;

/** Input of DisassociateCustomDomain. */
public record DisassociateCustomDomainRequest(String serviceArn, String domainName) {
}
