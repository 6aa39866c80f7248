package dev.slipway.core.api;

import java.util.List;

/** Output of ListServicesForAutoScalingConfiguration. */
public record ListServicesForAutoScalingConfigurationResponse(List<String> serviceArnList, String nextToken) {
}
