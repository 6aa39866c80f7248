package dev.slipway.core.model;

import java.time.Instant;

/** One revision of a named auto scaling configuration. */
public record AutoScalingConfiguration(String autoScalingConfigurationArn, String autoScalingConfigurationName,
                                       Integer autoScalingConfigurationRevision, Boolean latest,
                                       AutoScalingConfigurationStatus status, Integer maxConcurrency,
                                       Integer minSize, Integer maxSize, Instant createdAt, Instant deletedAt,
                                       Boolean hasAssociatedService, Boolean isDefault) {
    /** The summary shape of this revision. */
    public AutoScalingConfigurationSummary summary() {
        return new AutoScalingConfigurationSummary(autoScalingConfigurationArn, autoScalingConfigurationName,
                autoScalingConfigurationRevision, status, createdAt, hasAssociatedService, isDefault);
    }
}
