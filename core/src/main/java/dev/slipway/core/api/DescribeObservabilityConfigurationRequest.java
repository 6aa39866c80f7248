package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of DescribeObservabilityConfiguration: a full ARN, or a partial one ending in name (the latest active revision) or name/revision. */
public record DescribeObservabilityConfigurationRequest(String observabilityConfigurationArn) {
}
