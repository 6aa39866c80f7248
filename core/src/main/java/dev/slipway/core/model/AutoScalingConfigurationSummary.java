package dev.slipway.core.model;

import java.time.Instant;

/** Summary of an auto scaling configuration revision. */
public record AutoScalingConfigurationSummary(String autoScalingConfigurationArn, String autoScalingConfigurationName,
                                              Integer autoScalingConfigurationRevision,
                                              AutoScalingConfigurationStatus status, Instant createdAt,
                                              Boolean hasAssociatedService, Boolean isDefault) {
}
