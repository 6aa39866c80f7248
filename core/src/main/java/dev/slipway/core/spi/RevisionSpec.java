package dev.slipway.core.spi;

/**
 * A revision to prepare: where it comes from and what its instances run.
 *
 * @param revisionId unique per service and deployment, safe as a file or image name
 */
public record RevisionSpec(String serviceName, String serviceId, String revisionId, RevisionSource source,
                           RunConfiguration run) {
}
