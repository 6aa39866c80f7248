package dev.slipway.core.model;

/** Outbound network settings. */
public record EgressConfiguration(EgressType egressType, String vpcConnectorArn) {
}
