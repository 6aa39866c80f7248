package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of DeleteAutoScalingConfiguration. */
public record DeleteAutoScalingConfigurationRequest(String autoScalingConfigurationArn, Boolean deleteAllRevisions) {
}
