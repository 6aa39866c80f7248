package dev.slipway.core.api;

import dev.slipway.core.model.AutoScalingConfiguration;

/** Output of UpdateDefaultAutoScalingConfiguration. */
public record UpdateDefaultAutoScalingConfigurationResponse(AutoScalingConfiguration autoScalingConfiguration) {
}
