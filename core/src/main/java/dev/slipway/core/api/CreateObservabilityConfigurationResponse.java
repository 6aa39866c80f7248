package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Output of CreateObservabilityConfiguration. */
public record CreateObservabilityConfigurationResponse(ObservabilityConfiguration observabilityConfiguration) {
}
