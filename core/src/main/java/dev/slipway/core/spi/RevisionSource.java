package dev.slipway.core.spi;

import dev.slipway.core.build.BuildPlan;
import java.nio.file.Path;
import java.util.Optional;

/** Where a revision comes from: source code built with a build plan, or a container image. */
public sealed interface RevisionSource {
    /** Source code, already fetched and narrowed to the SourceDirectory, and how to build it. */
    record Build(Path sourceDir, BuildPlan plan) implements RevisionSource {
    }

    /**
     * A container image, as ImageRepository.ImageIdentifier names it, and the login to pull it with, if the service
     * names one (AuthenticationConfiguration.AccessRoleArn); otherwise the backend's own.
     */
    record Image(String imageIdentifier, Optional<RegistryLogin> login) implements RevisionSource {
        public Image(String imageIdentifier) {
            this(imageIdentifier, Optional.empty());
        }
    }
}
