package dev.slipway.core.model;

/** The KMS key that encrypts a service's stored copies. Set at creation only. */
public record EncryptionConfiguration(String kmsKey) {
}
