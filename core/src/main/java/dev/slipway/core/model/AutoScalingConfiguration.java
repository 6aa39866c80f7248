package dev.slipway.core.model;

import java.time.Instant;

/** One revision of a named auto scaling configuration. */
public record AutoScalingConfiguration(String autoScalingConfigurationArn, String autoScalingConfigurationName,
                                       Integer autoScalingConfigurationRevision, Boolean latest,
                                       AutoScalingConfigurationStatus status, Integer maxConcurrency,
                                       Integer minSize, Integer maxSize, Instant createdAt, Instant deletedAt,
                                       Boolean hasAssociatedService, Boolean isDefault) {
    /** The implicit DefaultConfiguration's numbers (the guide's defaults), and what an unset number of a new revision takes. */
    public static final int DEFAULT_MAX_CONCURRENCY = 100;
    public static final int DEFAULT_MIN_SIZE = 1;
    public static final int DEFAULT_MAX_SIZE = 25;

    /** The summary shape of this revision. */
    public AutoScalingConfigurationSummary summary() {
        return new AutoScalingConfigurationSummary(autoScalingConfigurationArn, autoScalingConfigurationName,
                autoScalingConfigurationRevision, status, createdAt, hasAssociatedService, isDefault);
    }
}
