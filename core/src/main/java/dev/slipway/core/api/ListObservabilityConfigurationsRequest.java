package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of ListObservabilityConfigurations; LatestOnly defaults to true. */
public record ListObservabilityConfigurationsRequest(String observabilityConfigurationName, Boolean latestOnly, Integer maxResults, String nextToken) {
}
