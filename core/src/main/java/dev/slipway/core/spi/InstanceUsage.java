package dev.slipway.core.spi;

/**
 * What an instance uses now, as its platform measures it.
 *
 * @param cpu              vCPUs in use (1.0 is one whole vCPU)
 * @param memoryBytes      memory in use
 * @param memoryLimitBytes the hard memory limit (InstanceConfiguration's Memory)
 */
public record InstanceUsage(double cpu, long memoryBytes, long memoryLimitBytes) {
}
