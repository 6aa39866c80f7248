package dev.slipway.core.api;

/** Input of ListServicesForAutoScalingConfiguration. */
public record ListServicesForAutoScalingConfigurationRequest(String autoScalingConfigurationArn, Integer maxResults,
                                                             String nextToken) {
}
