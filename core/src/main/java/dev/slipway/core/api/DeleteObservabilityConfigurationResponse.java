package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Output of DeleteObservabilityConfiguration: the revision, now INACTIVE. */
public record DeleteObservabilityConfigurationResponse(ObservabilityConfiguration observabilityConfiguration) {
}
