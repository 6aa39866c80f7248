package dev.slipway.core.model;

/** An observability configuration revision in ListObservabilityConfigurations. */
public record ObservabilityConfigurationSummary(String observabilityConfigurationArn, String observabilityConfigurationName,
                                                Integer observabilityConfigurationRevision) {
}
