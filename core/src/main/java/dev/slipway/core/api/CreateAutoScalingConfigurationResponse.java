package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Output of CreateAutoScalingConfiguration. */
public record CreateAutoScalingConfigurationResponse(AutoScalingConfiguration autoScalingConfiguration) {
}
