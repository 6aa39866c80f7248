package dev.slipway.core.spi;

import dev.slipway.core.build.BuildPlan;

/**
 * A built, immutable revision that instances start from.
 *
 * @param location where the backend keeps it: a workspace path, an image id, ...
 */
public record PreparedRevision(String serviceId, String revisionId, String location, BuildPlan plan) {
}
