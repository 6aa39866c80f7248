package dev.slipway.backend.k8s;

import dev.slipway.backend.docker.DockerImageBuilder;
import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.spi.BuildListener;
import dev.slipway.core.source.Registries;
import dev.slipway.core.spi.PreparedRevision;
import dev.slipway.core.spi.RevisionSource;
import dev.slipway.core.spi.RevisionSpec;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The images of the kubernetes backend's revisions. An image service's tag is resolved to its digest through the
 * registry's API at deployment, so every pod of a revision runs the same image and a re-pushed tag is a new revision
 * (with an image pull Secret when the service names a login). A source service is built with the Docker backend's
 * image build and pushed to {@code --registry}; pods pull it with the registry's pull Secret when it needs a login.
 * Registries named in {@code docker.registry-map.<registry>} are replaced as on the Docker backend, so App Runner's
 * ECR identifiers work unchanged.
 */
final class PodImages {
    private final KubernetesSettings settings;
    private final Map<String, String> allSettings;
    private final DockerImageBuilder builder;
    private final Registries registries;
    private final Consumer<Secret> apply;

    PodImages(KubernetesSettings settings, Map<String, String> allSettings, DockerImageBuilder builder, Registries registries,
              Consumer<Secret> apply) {
        this.settings = settings;
        this.allSettings = Map.copyOf(allSettings);
        this.builder = builder;
        this.registries = registries;
        this.apply = apply;
    }

    PreparedRevision prepare(RevisionSpec spec, BuildListener listener) throws BuildFailedException {
        if (spec.source() instanceof RevisionSource.Build build) {
            String registry = settings.registry().orElseThrow(() -> new BuildFailedException("the kubernetes backend builds "
                    + "source services only with a registry to push to and pull from: start Slipway with --registry "
                    + "HOST[:PORT]/PREFIX (and --registry-credentials FILE if it needs a login)"));
            String target = registry + "/" + PodSpecs.dnsLabel(spec.serviceId(), 63) + ":" + spec.revisionId();
            String pushed = builder.buildAndPush(spec, build, target, settings.registryLogin(), listener);
            return new PreparedRevision(spec.serviceId(), spec.revisionId(), pushed, Map.of("image", pushed, "built", "true"),
                    spec.run());
        }
        RevisionSource.Image image = (RevisionSource.Image) spec.source();
        String identifier = mapped(image.imageIdentifier());
        if (!identifier.equals(image.imageIdentifier())) {
            listener.output("Using " + identifier + " for " + image.imageIdentifier() + " (registry mapped by --registry-map)");
        }
        listener.progress("resolve " + identifier, 1, 1);
        String location;
        try {
            location = Registries.Ref.parse(identifier).name() + "@" + registries.digest(identifier, image.login());
            listener.output("Image " + identifier + " is " + location);
        } catch (IOException e) {
            throw new BuildFailedException("cannot resolve image " + identifier + " to a digest: " + e.getMessage()
                    + ". Check the identifier, that the registry answers from here, and the service's access role login");
        }
        Map<String, String> attributes = new HashMap<>(Map.of("image", identifier, PreparedRevision.DIGEST, location));
        if (image.login().isPresent()) {
            String name = PodSpecs.pullSecretName(spec.serviceId(), spec.revisionId());
            apply.accept(PodSpecs.pullSecret(name, Registries.Ref.parse(identifier).registry(), image.login().get(),
                    PodSpecs.serviceLabels(spec.serviceId()), Optional.empty()));
            attributes.put("pull-secret", name);
        }
        return new PreparedRevision(spec.serviceId(), spec.revisionId(), location, attributes, spec.run());
    }

    private String mapped(String identifier) {
        return Registries.mapped(identifier, allSettings);
    }
}
