package dev.slipway.core;

import java.util.List;

/**
 * Resource quotas, as the guide's "App Runner resource quotas" table sets them by default: 10 services, 10
 * connections, 10 auto scaling configuration names, 10 revisions per name; and 10 VPC connectors. A self-hosted
 * operator may raise or lower each ({@link #with}; {@code slipway server --quota services=1000}).
 */
public record Quotas(int services, int connections, int autoScalingConfigurationNames, int revisionsPerName, int vpcConnectors) {
    public static final Quotas DEFAULT = new Quotas(10, 10, 10, 10, 10);

    /** The names {@link #with} takes, in the guide's order. */
    public static final List<String> NAMES = List.of("services", "connections", "auto-scaling-configuration-names",
            "auto-scaling-configuration-revisions", "vpc-connectors");

    /** These quotas, with the default number of VPC connectors. */
    public Quotas(int services, int connections, int autoScalingConfigurationNames, int revisionsPerName) {
        this(services, connections, autoScalingConfigurationNames, revisionsPerName, DEFAULT_VPC_CONNECTORS);
    }

    private static final int DEFAULT_VPC_CONNECTORS = 10;

    public Quotas {
        for (int q : new int[] {services, connections, autoScalingConfigurationNames, revisionsPerName, vpcConnectors}) {
            if (q < 1) {
                throw new IllegalArgumentException("A quota must be at least 1, not " + q);
            }
        }
    }

    /** These quotas with the one named {@code name} (one of {@link #NAMES}) set to {@code value}. */
    public Quotas with(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException("Quota " + name + " must be at least 1, not " + value);
        }
        return switch (name) {
            case "services" -> new Quotas(value, connections, autoScalingConfigurationNames, revisionsPerName, vpcConnectors);
            case "connections" -> new Quotas(services, value, autoScalingConfigurationNames, revisionsPerName, vpcConnectors);
            case "auto-scaling-configuration-names" -> new Quotas(services, connections, value, revisionsPerName, vpcConnectors);
            case "auto-scaling-configuration-revisions" -> new Quotas(services, connections, autoScalingConfigurationNames, value,
                    vpcConnectors);
            case "vpc-connectors" -> new Quotas(services, connections, autoScalingConfigurationNames, revisionsPerName, value);
            default -> throw new IllegalArgumentException("No quota named '" + name + "'; the quotas are " + String.join(", ", NAMES));
        };
    }
}
