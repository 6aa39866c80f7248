package dev.slipway.core.spi;

/**
 * CPU and memory of one instance, from the service's InstanceConfiguration.
 *
 * @param cpuUnits  1024 units are one vCPU (App Runner's "1024" or "1 vCPU")
 * @param memoryMiB memory in MiB (App Runner's "2048" or "2 GB")
 */
public record Resources(int cpuUnits, int memoryMiB) {
    public static final Resources DEFAULT = new Resources(1024, 2048);
}
