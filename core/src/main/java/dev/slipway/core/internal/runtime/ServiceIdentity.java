package dev.slipway.core.internal.runtime;

/** Who a reconciler works for: the control plane's id (for owner labels) and the service's names. */
public record ServiceIdentity(String controlPlaneId, String serviceName, String serviceId, String serviceArn, String host) {
}
