package dev.slipway.core.model;

/**
 * How instances are health checked. Unset members take App Runner's defaults: TCP, path {@code /}, interval 5 s,
 * timeout 2 s, healthy threshold 1, unhealthy threshold 5.
 */
public record HealthCheckConfiguration(HealthCheckProtocol protocol, String path, Integer interval, Integer timeout,
                                       Integer healthyThreshold, Integer unhealthyThreshold) {
    public static final HealthCheckConfiguration DEFAULT =
            new HealthCheckConfiguration(HealthCheckProtocol.TCP, "/", 5, 2, 1, 5);

    /** This configuration with every unset member taken from {@link #DEFAULT}. */
    public HealthCheckConfiguration withDefaults() {
        return new HealthCheckConfiguration(
                protocol != null ? protocol : DEFAULT.protocol,
                path != null ? path : DEFAULT.path,
                interval != null ? interval : DEFAULT.interval,
                timeout != null ? timeout : DEFAULT.timeout,
                healthyThreshold != null ? healthyThreshold : DEFAULT.healthyThreshold,
                unhealthyThreshold != null ? unhealthyThreshold : DEFAULT.unhealthyThreshold);
    }
}
