package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Output of ListAutoScalingConfigurations. */
public record ListAutoScalingConfigurationsResponse(List<AutoScalingConfigurationSummary> autoScalingConfigurationSummaryList, String nextToken) {
}
