package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.ArrayList;
import java.util.List;

/** Input of CreateService. Build it with {@link #builder()}; only the name and source are required. */
public record CreateServiceRequest(String serviceName, SourceConfiguration sourceConfiguration,
                                   InstanceConfiguration instanceConfiguration, List<Tag> tags,
                                   EncryptionConfiguration encryptionConfiguration,
                                   HealthCheckConfiguration healthCheckConfiguration,
                                   String autoScalingConfigurationArn, NetworkConfiguration networkConfiguration,
                                   ServiceObservabilityConfiguration observabilityConfiguration) {

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link CreateServiceRequest}. */
    public static final class Builder {
        private String serviceName;
        private SourceConfiguration sourceConfiguration;
        private InstanceConfiguration instanceConfiguration;
        private final List<Tag> tags = new ArrayList<>();
        private EncryptionConfiguration encryptionConfiguration;
        private HealthCheckConfiguration healthCheckConfiguration;
        private String autoScalingConfigurationArn;
        private NetworkConfiguration networkConfiguration;
        private ServiceObservabilityConfiguration observabilityConfiguration;

        public Builder serviceName(String v) { serviceName = v; return this; }
        public Builder sourceConfiguration(SourceConfiguration v) { sourceConfiguration = v; return this; }
        public Builder instanceConfiguration(InstanceConfiguration v) { instanceConfiguration = v; return this; }
        public Builder tag(String key, String value) { tags.add(new Tag(key, value)); return this; }
        public Builder encryptionConfiguration(EncryptionConfiguration v) { encryptionConfiguration = v; return this; }
        public Builder healthCheckConfiguration(HealthCheckConfiguration v) { healthCheckConfiguration = v; return this; }
        public Builder autoScalingConfigurationArn(String v) { autoScalingConfigurationArn = v; return this; }
        public Builder networkConfiguration(NetworkConfiguration v) { networkConfiguration = v; return this; }
        public Builder observabilityConfiguration(ServiceObservabilityConfiguration v) { observabilityConfiguration = v; return this; }

        public CreateServiceRequest build() {
            return new CreateServiceRequest(serviceName, sourceConfiguration, instanceConfiguration,
                    tags.isEmpty() ? null : List.copyOf(tags), encryptionConfiguration, healthCheckConfiguration,
                    autoScalingConfigurationArn, networkConfiguration, observabilityConfiguration);
        }
    }
}
