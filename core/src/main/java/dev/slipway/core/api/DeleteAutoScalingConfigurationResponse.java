package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Output of DeleteAutoScalingConfiguration. */
public record DeleteAutoScalingConfigurationResponse(AutoScalingConfiguration autoScalingConfiguration) {
}
