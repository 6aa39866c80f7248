package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of CreateAutoScalingConfiguration; unset numbers take the defaults (100, 1, 25). */
public record CreateAutoScalingConfigurationRequest(String autoScalingConfigurationName, Integer maxConcurrency, Integer minSize, Integer maxSize, List<Tag> tags) {
}
