package dev.slipway.core.model;

/**
 * The status of a custom domain: CREATING, then PENDING_CERTIFICATE_DNS_VALIDATION while the certificate authority
 * waits for the validation records, BINDING_CERTIFICATE once it issued, ACTIVE when the router serves the domain with
 * its certificate; CREATE_FAILED when no certificate could be had; DELETING while it is being disassociated.
 */
public enum CustomDomainAssociationStatus {
    CREATING, CREATE_FAILED, ACTIVE, DELETING, DELETE_FAILED, PENDING_CERTIFICATE_DNS_VALIDATION, BINDING_CERTIFICATE
}
