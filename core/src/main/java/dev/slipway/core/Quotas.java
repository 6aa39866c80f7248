package dev.slipway.core;

/**
 * Resource quotas, as the guide's "App Runner resource quotas" table sets them by default: 10 services, 10
 * connections, 10 auto scaling configuration names, 10 revisions per name.
 */
public record Quotas(int services, int connections, int autoScalingConfigurationNames, int revisionsPerName) {
    public static final Quotas DEFAULT = new Quotas(10, 10, 10, 10);
}
