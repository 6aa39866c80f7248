package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of DeleteObservabilityConfiguration: a full ARN, or a partial one (the latest active revision of a name). */
public record DeleteObservabilityConfigurationRequest(String observabilityConfigurationArn) {
}
