package dev.slipway.core.model;

/** The status of a VPC connector revision: INACTIVE once deleted. */
public enum VpcConnectorStatus { ACTIVE, INACTIVE }
