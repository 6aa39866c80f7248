package dev.slipway.core.api;

import dev.slipway.core.model.*;

/** Input of UpdateService: every member but the ARN is optional, and an unset member keeps its current value. */
public record UpdateServiceRequest(String serviceArn, SourceConfiguration sourceConfiguration,
                                   InstanceConfiguration instanceConfiguration, String autoScalingConfigurationArn,
                                   HealthCheckConfiguration healthCheckConfiguration,
                                   NetworkConfiguration networkConfiguration,
                                   ServiceObservabilityConfiguration observabilityConfiguration) {

    public static Builder builder(String serviceArn) {
        return new Builder(serviceArn);
    }

    /** Builds an {@link UpdateServiceRequest}. */
    public static final class Builder {
        private final String serviceArn;
        private SourceConfiguration sourceConfiguration;
        private InstanceConfiguration instanceConfiguration;
        private String autoScalingConfigurationArn;
        private HealthCheckConfiguration healthCheckConfiguration;
        private NetworkConfiguration networkConfiguration;
        private ServiceObservabilityConfiguration observabilityConfiguration;

        private Builder(String serviceArn) { this.serviceArn = serviceArn; }

        public Builder sourceConfiguration(SourceConfiguration v) { sourceConfiguration = v; return this; }
        public Builder instanceConfiguration(InstanceConfiguration v) { instanceConfiguration = v; return this; }
        public Builder autoScalingConfigurationArn(String v) { autoScalingConfigurationArn = v; return this; }
        public Builder healthCheckConfiguration(HealthCheckConfiguration v) { healthCheckConfiguration = v; return this; }
        public Builder networkConfiguration(NetworkConfiguration v) { networkConfiguration = v; return this; }
        public Builder observabilityConfiguration(ServiceObservabilityConfiguration v) { observabilityConfiguration = v; return this; }

        public UpdateServiceRequest build() {
            return new UpdateServiceRequest(serviceArn, sourceConfiguration, instanceConfiguration,
                    autoScalingConfigurationArn, healthCheckConfiguration, networkConfiguration,
                    observabilityConfiguration);
        }
    }
}
