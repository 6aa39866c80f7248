package dev.slipway.core.model;

/** CPU, memory and role of each instance. Defaults: 1 vCPU, 2 GB. */
public record InstanceConfiguration(String cpu, String memory, String instanceRoleArn) {
    public static final InstanceConfiguration DEFAULT = new InstanceConfiguration("1024", "2048", null);
}
