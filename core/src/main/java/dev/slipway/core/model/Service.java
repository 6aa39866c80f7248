package dev.slipway.core.model;

import java.time.Instant;

/** A service as DescribeService shows it. */
public record Service(String serviceName, String serviceId, String serviceArn, String serviceUrl,
                      Instant createdAt, Instant updatedAt, Instant deletedAt, ServiceStatus status,
                      SourceConfiguration sourceConfiguration, InstanceConfiguration instanceConfiguration,
                      EncryptionConfiguration encryptionConfiguration,
                      HealthCheckConfiguration healthCheckConfiguration,
                      AutoScalingConfigurationSummary autoScalingConfigurationSummary,
                      NetworkConfiguration networkConfiguration,
                      ServiceObservabilityConfiguration observabilityConfiguration) {
}
