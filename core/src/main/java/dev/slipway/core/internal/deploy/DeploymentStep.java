package dev.slipway.core.internal.deploy;

import dev.slipway.core.build.BuildFailedException;

/** One named step of a {@link DeploymentPipeline}: fetch source, build, start instances, switch traffic, ... */
public interface DeploymentStep {
    /** What the step does, for its {@code [AppRunner] [n/N]} line; it may use what earlier steps found. */
    String title(Deployment d);

    void run(Deployment d) throws BuildFailedException;
}
