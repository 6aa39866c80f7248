package dev.slipway.core.internal.control;

import dev.slipway.core.model.HealthCheckConfiguration;
import dev.slipway.core.model.InstanceConfiguration;
import dev.slipway.core.model.NetworkConfiguration;
import dev.slipway.core.model.ServiceObservabilityConfiguration;
import dev.slipway.core.model.SourceConfiguration;

/** The settings of a service that UpdateService can change. */
public record ServiceSpec(SourceConfiguration source, InstanceConfiguration instance, HealthCheckConfiguration health,
                          NetworkConfiguration network, ServiceObservabilityConfiguration observability,
                          String autoScalingArn) {
}
