package dev.slipway.core.model;

import java.time.Instant;

/** One revision of a named observability configuration; tracing is on when {@code traceConfiguration} is set. */
public record ObservabilityConfiguration(String observabilityConfigurationArn, String observabilityConfigurationName,
                                         TraceConfiguration traceConfiguration, Integer observabilityConfigurationRevision,
                                         Boolean latest, ObservabilityConfigurationStatus status, Instant createdAt,
                                         Instant deletedAt) {
    /** The summary shape of this revision. */
    public ObservabilityConfigurationSummary summary() {
        return new ObservabilityConfigurationSummary(observabilityConfigurationArn, observabilityConfigurationName,
                observabilityConfigurationRevision);
    }
}
