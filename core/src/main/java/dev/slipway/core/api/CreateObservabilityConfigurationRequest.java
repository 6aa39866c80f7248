package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of CreateObservabilityConfiguration; without a TraceConfiguration, tracing is off. */
public record CreateObservabilityConfigurationRequest(String observabilityConfigurationName, TraceConfiguration traceConfiguration, List<Tag> tags) {
}
