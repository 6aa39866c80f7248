package dev.slipway.core.model;

/**
 * A DNS record the owner of a custom domain creates so that the certificate authority can validate the domain: always
 * a CNAME, from {@code name} to {@code value}.
 */
public record CertificateValidationRecord(String name, String type, String value, CertificateValidationRecordStatus status) {
    /** A CNAME record from {@code name} to {@code value}. */
    public static CertificateValidationRecord cname(String name, String value, CertificateValidationRecordStatus status) {
        return new CertificateValidationRecord(name, "CNAME", value, status);
    }

    public CertificateValidationRecord withStatus(CertificateValidationRecordStatus next) {
        return new CertificateValidationRecord(name, type, value, next);
    }
}
