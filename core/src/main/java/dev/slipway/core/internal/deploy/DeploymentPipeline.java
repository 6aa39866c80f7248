package dev.slipway.core.internal.deploy;

import dev.slipway.core.build.BuildFailedException;
import java.util.List;

/**
 * An operation as an explicit list of steps, run in order. Each step's start is a progress event, from which the
 * deployment log's {@code [n/N]} numbering is derived, so the numbers always match the steps. If a step fails, the
 * deployment is rolled back (the previous desired state comes back) before the failure is rethrown.
 */
public final class DeploymentPipeline {
    /** Fetch, read the configuration, build, then blue/green. */
    public static final DeploymentPipeline FROM_SOURCE = new DeploymentPipeline(List.of(DeploymentSteps.FETCH_SOURCE,
            DeploymentSteps.RESOLVE_BUILD_PLAN, DeploymentSteps.BUILD, DeploymentSteps.START_INSTANCES,
            DeploymentSteps.SWITCH_TRAFFIC, DeploymentSteps.DRAIN_OLD));
    /** Pull the image, then blue/green. */
    public static final DeploymentPipeline FROM_IMAGE = new DeploymentPipeline(List.of(DeploymentSteps.PULL_IMAGE,
            DeploymentSteps.START_INSTANCES, DeploymentSteps.SWITCH_TRAFFIC, DeploymentSteps.DRAIN_OLD));
    /** New instances of a revision built before (an update that needs no build, a resume, a restart). */
    public static final DeploymentPipeline REDEPLOY = new DeploymentPipeline(List.of(DeploymentSteps.START_INSTANCES,
            DeploymentSteps.SWITCH_TRAFFIC, DeploymentSteps.DRAIN_OLD));
    public static final DeploymentPipeline PAUSE = new DeploymentPipeline(List.of(DeploymentSteps.PAUSE));
    public static final DeploymentPipeline DELETE = new DeploymentPipeline(List.of(DeploymentSteps.DELETE));

    private final List<DeploymentStep> steps;

    public DeploymentPipeline(List<DeploymentStep> steps) {
        this.steps = List.copyOf(steps);
    }

    public List<DeploymentStep> steps() {
        return steps;
    }

    /** Runs every step; on failure rolls the deployment back and rethrows. */
    public void run(Deployment d) throws BuildFailedException {
        try {
            for (int i = 0; i < steps.size(); i++) {
                DeploymentStep step = steps.get(i);
                d.log().progress(i + 1, steps.size(), step.title(d));
                step.run(d);
            }
        } catch (BuildFailedException | RuntimeException e) {
            d.rollBack();
            throw e;
        } finally {
            d.cleanUp();
        }
    }
}
