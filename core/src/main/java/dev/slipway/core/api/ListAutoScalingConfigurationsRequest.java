package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of ListAutoScalingConfigurations. */
public record ListAutoScalingConfigurationsRequest(String autoScalingConfigurationName, Boolean latestOnly, Integer maxResults, String nextToken) {
}
