package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Output of DescribeAutoScalingConfiguration. */
public record DescribeAutoScalingConfigurationResponse(AutoScalingConfiguration autoScalingConfiguration) {
}
