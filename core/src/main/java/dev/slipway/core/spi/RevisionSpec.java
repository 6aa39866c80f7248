package dev.slipway.core.spi;

import dev.slipway.core.build.BuildPlan;
import java.nio.file.Path;

/**
 * A revision to prepare: the fetched source (already narrowed to the SourceDirectory) and its build plan.
 *
 * @param revisionId unique per service and deployment, safe as a file or image name
 */
public record RevisionSpec(String serviceName, String serviceId, String revisionId, Path sourceDir, BuildPlan plan) {
}
