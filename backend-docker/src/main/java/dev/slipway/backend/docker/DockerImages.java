package dev.slipway.backend.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.command.PullImageCmd;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.InternalServerErrorException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.PullResponseItem;
import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.model.Runtime;
import dev.slipway.core.spi.BuildCancelledException;
import dev.slipway.core.spi.BuildListener;
import dev.slipway.core.spi.PreparedRevision;
import dev.slipway.core.spi.RegistryLogin;
import dev.slipway.core.spi.RevisionSource;
import dev.slipway.core.spi.RevisionSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The images of the docker backend's revisions: pulled for an image service (each layer's progress in the deployment
 * log, the digest it resolved to, registries mapped by {@code docker.registry-map.<registry>}, a login when the
 * service names one), or built from the source for a code service ({@link DockerImageBuild}, on the runtime's base
 * image, {@code docker.base-image.<runtime>}).
 */
final class DockerImages {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DockerImages.class);
    /** The base image of each managed runtime, unless the setting {@code docker.base-image.<runtime>} names another. */
    static final Map<Runtime, String> DEFAULT_BASE_IMAGES = Map.ofEntries(
            Map.entry(Runtime.PYTHON_3, "python:3-slim"), Map.entry(Runtime.PYTHON_311, "python:3.11-slim"),
            Map.entry(Runtime.NODEJS_12, "node:12-slim"), Map.entry(Runtime.NODEJS_14, "node:14-slim"),
            Map.entry(Runtime.NODEJS_16, "node:16-slim"), Map.entry(Runtime.NODEJS_18, "node:18-slim"),
            Map.entry(Runtime.NODEJS_22, "node:22-slim"), Map.entry(Runtime.CORRETTO_8, "amazoncorretto:8"),
            Map.entry(Runtime.CORRETTO_11, "amazoncorretto:11"), Map.entry(Runtime.GO_1, "golang:1"),
            Map.entry(Runtime.DOTNET_6, "mcr.microsoft.com/dotnet/sdk:6.0"), Map.entry(Runtime.PHP_81, "php:8.1-cli"),
            Map.entry(Runtime.RUBY_31, "ruby:3.1-slim"));
    private final DockerClient docker;
    private final Map<String, String> settings;

    DockerImages(DockerClient docker, Map<String, String> settings) {
        this.docker = docker;
        this.settings = settings;
    }

    /**
     * {@code identifier} with its registry replaced as a setting {@code docker.registry-map.<registry>=<other>} says,
     * so that the ECR identifiers a CLI user gives App Runner pull from any registry here.
     */
    String mapped(String identifier) {
        return dev.slipway.core.source.Registries.mapped(identifier, settings);
    }

    /** The base image a source service of {@code runtime} is built on. */
    /** The attribute of a pulled revision: the tag of Slipway's own that holds its image ({@code slipway/<service>:<revision>}). */
    static final String HELD = "held-by";

    String baseImage(Runtime runtime) {
        return settings.getOrDefault("docker.base-image." + runtime.configName(), DEFAULT_BASE_IMAGES.get(runtime));
    }


    /** An image pulled (an image service) or built (a source service) for a revision. */
    PreparedRevision prepare(RevisionSpec spec, BuildListener listener) throws BuildFailedException {
        if (spec.source() instanceof RevisionSource.Build build) {
            return build(spec, build, listener);
        }
        RevisionSource.Image image = (RevisionSource.Image) spec.source();
        String identifier = image.imageIdentifier();
        String ref = mapped(identifier);
        if (!ref.equals(identifier)) {
            listener.output("Pulling " + ref + " for " + identifier + " (registry mapped by docker.registry-map)");
        }
        listener.progress("pull " + ref, 1, 1);
        InspectImageResponse inspected = null;
        // an image already on the engine is "up to date" at once; something else may remove it before a tag of Slipway's
        // own holds it (another revision's discard, a docker rmi): then it is pulled again. The engine answers 404, or
        // 500 when the removal is under way ("failed to get digest ...: no such file or directory")
        String held = "slipway/" + spec.serviceId() + ":" + spec.revisionId();
        for (int attempt = 1; inspected == null; attempt++) {
            pull(ref, image.login(), listener);
            try {
                InspectImageResponse pulled = docker.inspectImageCmd(ref).exec();
                // the revision's own tag holds the image: a docker rmi of the pulled tag no longer removes it
                docker.tagImageCmd(pulled.getId(), "slipway/" + spec.serviceId(), spec.revisionId()).exec();
                inspected = pulled;
            } catch (NotFoundException | InternalServerErrorException e) {
                if (attempt == 3) {
                    throw new BuildFailedException("image " + ref + " is not on the engine after the pull (removed by "
                            + "something else each time it was pulled; the engine said: " + e.getMessage().strip() + ")");
                }
                listener.output("Image " + ref + " was removed from the engine right after the pull; pulling it again");
            }
        }
        String repository = repository(ref);
        String digest = (inspected.getRepoDigests() == null ? List.<String>of() : inspected.getRepoDigests()).stream()
                .filter(d -> d.startsWith(repository + "@")).findFirst().orElse(inspected.getId());
        listener.output("Image " + ref + " is " + digest);
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("image", ref);
        attributes.put(PreparedRevision.DIGEST, digest);
        attributes.put(HELD, held);
        return new PreparedRevision(spec.serviceId(), spec.revisionId(), inspected.getId(), attributes, spec.run());
    }

    /** Builds a source revision into the image {@code slipway/<service-id>:<revision-id>}. */
    private PreparedRevision build(RevisionSpec spec, RevisionSource.Build source, BuildListener listener) throws BuildFailedException {
        String tag = buildImage(spec, source, listener);
        return new PreparedRevision(spec.serviceId(), spec.revisionId(), tag, Map.of("image", tag, "built", "true"), spec.run());
    }

    private Boolean bridge;

    /** Whether the engine has its default bridge network (else builds run on the host's network). */
    private synchronized boolean hasBridge() {
        if (bridge == null) {
            bridge = hasDefaultBridge(docker);
        }
        return bridge;
    }

    /** Whether the engine has its default bridge network, {@code bridge} ({@code dockerd --bridge=none} has none). */
    static boolean hasDefaultBridge(DockerClient docker) {
        return docker.listNetworksCmd().withNameFilter("bridge").exec().stream().anyMatch(n -> n.getName().equals("bridge"));
    }

    /** Removes what the builds of a deleted service kept: its cache volume. */
    void forgetService(String serviceId) {
        DockerImageBuild.dropCache(docker, serviceId);
    }

    /** Builds a source revision into the image {@code slipway/<service-id>:<revision-id>}; returns that tag. */
    String buildImage(RevisionSpec spec, RevisionSource.Build source, BuildListener listener) throws BuildFailedException {
        String base = baseImage(source.plan().runtime());
        String tag = "slipway/" + spec.serviceId() + ":" + spec.revisionId();
        listener.output("Building image " + tag + " from " + base + " (base image of runtime " + source.plan().runtime().configName()
                + "; change it with --base-image " + source.plan().runtime().configName() + "=IMAGE)");
        String imageId = DockerImageBuild.build(docker, source.sourceDir(), base, source.plan(), spec.serviceId(), tag,
                !hasBridge(), ContainerOwners.labels(Optional.empty()), listener);
        listener.output("Built image " + tag + " (" + imageId + ")");
        return tag;
    }

    /** Pulls {@code ref}; when no registry answers and the engine has the image, uses that one (and says so). */
    private void pull(String ref, Optional<RegistryLogin> login, BuildListener listener) throws BuildFailedException {
        Map<String, String> lastStatus = new HashMap<>();
        Throwable[] failure = new Throwable[1];
        try {
            PullImageCmd pull = docker.pullImageCmd(ref);
            login.ifPresent(l -> pull.withAuthConfig(new AuthConfig().withUsername(l.username()).withPassword(l.password())
                    .withRegistryAddress(registry(ref))));
            pull.exec(new ResultCallback.Adapter<PullResponseItem>() {
                @Override
                public void onError(Throwable t) { // kept for the message below, not logged with a trace by docker-java
                    failure[0] = t;
                    try {
                        close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                }

                @Override
                public void onNext(PullResponseItem item) {
                    String status = item.getStatus();
                    if (status == null) {
                        return;
                    }
                    String layer = item.getId() == null ? "" : item.getId() + ": ";
                    // one line per layer and status, not one per progress tick
                    if (!status.equals(lastStatus.put(String.valueOf(item.getId()), status))) {
                        listener.output("[pull] " + layer + status);
                    }
                }
            }).awaitCompletion();
            if (failure[0] instanceof RuntimeException e) {
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildCancelledException("the pull of " + ref + " was cancelled");
        } catch (DockerException | IllegalArgumentException e) {
            if (exists(ref)) {
                listener.output("[pull] no registry gave " + ref + " (" + firstLine(e.getMessage()) + "); using the engine's local image");
                return;
            }
            throw new BuildFailedException("cannot pull image " + ref + ": " + firstLine(e.getMessage()), e);
        }
    }

    /** The registry of an image reference ({@code docker.io} when it names none). */
    static String registry(String ref) {
        int slash = ref.indexOf('/');
        String first = slash < 0 ? "" : ref.substring(0, slash);
        return first.contains(".") || first.contains(":") || first.equals("localhost") ? first : "docker.io";
    }

    /** The repository of an image reference: without its tag or digest. */
    static String repository(String ref) {
        String name = ref.contains("@") ? ref.substring(0, ref.indexOf('@')) : ref;
        int colon = name.lastIndexOf(':');
        return colon > name.lastIndexOf('/') ? name.substring(0, colon) : name;
    }

    private boolean exists(String ref) {
        try {
            docker.inspectImageCmd(ref).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /** Removes a revision's image if Slipway built it. */
    void discard(PreparedRevision revision) {
        String held = revision.attributes().get(HELD);
        if (held != null) { // a pulled image: only Slipway's tag goes; the image stays in the engine's cache, as after docker pull
            try {
                docker.removeImageCmd(held).withForce(false).exec();
            } catch (NotFoundException e) {
                // gone already
            } catch (com.github.dockerjava.api.exception.ConflictException e) {
                LOG.debug("image tag {} is still in use; left", held);
            }
            return;
        }
        if (!"true".equals(revision.attributes().get("built"))) {
            return;
        }
        try {
            docker.removeImageCmd(revision.location()).withForce(true).exec();
        } catch (NotFoundException e) {
            // gone already
        }
    }

    static String firstLine(String message) {
        if (message == null) {
            return "no message";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).trim();
    }
}
