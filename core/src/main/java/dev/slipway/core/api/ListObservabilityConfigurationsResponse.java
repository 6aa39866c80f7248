package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Output of ListObservabilityConfigurations. */
public record ListObservabilityConfigurationsResponse(List<ObservabilityConfigurationSummary> observabilityConfigurationSummaryList, String nextToken) {
}
