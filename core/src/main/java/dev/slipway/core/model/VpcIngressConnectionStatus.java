package dev.slipway.core.model;

/** The status of a VPC ingress connection, as the model lists them. */
public enum VpcIngressConnectionStatus {
    AVAILABLE, PENDING_CREATION, PENDING_UPDATE, PENDING_DELETION, FAILED_CREATION, FAILED_UPDATE, FAILED_DELETION, DELETED
}
