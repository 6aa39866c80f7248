package dev.slipway.core.model;

/** Whether the certificate authority has validated a certificate validation record. */
public enum CertificateValidationRecordStatus { PENDING_VALIDATION, SUCCESS, FAILED }
