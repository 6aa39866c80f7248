package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Output of DescribeObservabilityConfiguration. */
public record DescribeObservabilityConfigurationResponse(ObservabilityConfiguration observabilityConfiguration) {
}
