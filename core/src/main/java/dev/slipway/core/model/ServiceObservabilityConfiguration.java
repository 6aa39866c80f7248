package dev.slipway.core.model;

/** Whether tracing is enabled for a service. */
public record ServiceObservabilityConfiguration(Boolean observabilityEnabled, String observabilityConfigurationArn) {
}
