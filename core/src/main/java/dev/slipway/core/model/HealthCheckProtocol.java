package dev.slipway.core.model;

/** How instances are health checked. */
public enum HealthCheckProtocol { TCP, HTTP }
