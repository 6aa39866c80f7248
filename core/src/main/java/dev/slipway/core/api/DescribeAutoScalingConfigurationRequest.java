package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of DescribeAutoScalingConfiguration; the ARN may omit the revision (latest) or the id. */
public record DescribeAutoScalingConfigurationRequest(String autoScalingConfigurationArn) {
}
