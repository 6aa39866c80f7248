package dev.slipway.core.api;

/** Input of UpdateDefaultAutoScalingConfiguration; the ARN may omit the revision (latest) or the id. */
public record UpdateDefaultAutoScalingConfigurationRequest(String autoScalingConfigurationArn) {
}
