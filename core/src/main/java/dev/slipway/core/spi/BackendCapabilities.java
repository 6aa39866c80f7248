package dev.slipway.core.spi;

/**
 * What a backend does itself. Core does the rest: it health-checks instances unless the platform does, and replaces
 * crashed instances unless the platform restarts them.
 *
 * @param images               runs {@link RevisionSource.Image} revisions (container images)
 * @param sourceBuilds         builds {@link RevisionSource.Build} revisions from source
 * @param resourceLimits       enforces {@link Resources} (CPU and memory) on each instance
 * @param platformHealthChecks turns the service's health check into the platform's own probes and reports
 *                             {@link InstanceEvent.Ready}; core then does not probe
 * @param platformRestarts     restarts a crashed instance itself
 * @param keepsInstancesAcrossRestarts instances found by {@link ComputeBackend#adopt} can be kept serving (their
 *                             output is still collected); when false, core stops them and starts new ones
 * @param vpcEgress            gives a service's instances the networks and egress rules of a VPC connector (a
 *                             service with EgressType VPC); when false, such a service is refused
 */
public record BackendCapabilities(boolean images, boolean sourceBuilds, boolean resourceLimits,
                                  boolean platformHealthChecks, boolean platformRestarts,
                                  boolean keepsInstancesAcrossRestarts, boolean vpcEgress) {
    /** A backend that does not attach VPC connectors. */
    public BackendCapabilities(boolean images, boolean sourceBuilds, boolean resourceLimits, boolean platformHealthChecks,
                               boolean platformRestarts, boolean keepsInstancesAcrossRestarts) {
        this(images, sourceBuilds, resourceLimits, platformHealthChecks, platformRestarts, keepsInstancesAcrossRestarts, false);
    }
}
