package dev.slipway.backend.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.ExposedPorts;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.build.BuildPlan;
import dev.slipway.core.spi.BuildCancelledException;
import dev.slipway.core.spi.BuildListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds a source revision into an image through the engine, as a Dockerfile build would but with caches: a container
 * of the runtime's base image gets the source in {@code /app} and runs each pre-build, build, post-build and pre-run
 * command (with the build env) in turn, its output streamed as build lines, each command a progress step; then the
 * container is committed as the revision's image ({@code slipway/<service-id>:<revision-id>}, the start command as
 * CMD, {@code /app} as working directory) and removed. The package managers' caches (Maven, Gradle, npm, yarn, pip,
 * Go) point into a volume of the service's own, {@code slipway-cache-<service-id>}, mounted at {@value #CACHE} during
 * the build only: the next deployment finds what the last one downloaded, and no image carries it. The volume goes with
 * the service ({@link #dropCache}). The base image is never pulled by the build.
 */
final class DockerImageBuild {
    static final String CACHE = "/slipway-cache";
    private static final String MARKER = "##slipway-step ";
    private static final String STEPS = ".slipway-steps";
    /** Where each package manager keeps its downloads: in the cache volume. */
    private static final Map<String, String> CACHES = Map.of(
            "MAVEN_OPTS", "-Dmaven.repo.local=" + CACHE + "/m2",
            "GRADLE_USER_HOME", CACHE + "/gradle",
            "npm_config_cache", CACHE + "/npm",
            "YARN_CACHE_FOLDER", CACHE + "/yarn",
            "PIP_CACHE_DIR", CACHE + "/pip",
            "GOMODCACHE", CACHE + "/go/mod",
            "GOCACHE", CACHE + "/go/build");

    private DockerImageBuild() {
    }

    /** A build command: its phase (pre-build, build, post-build, pre-run) and the command. */
    record Command(String phase, String command) {
    }

    /** The build commands of {@code plan} in the order they run. */
    static List<Command> commands(BuildPlan plan) {
        return plan.phases().stream().map(e -> new Command(e.getKey(), e.getValue())).toList();
    }

    /** The cache volume of service {@code serviceId}. */
    static String cacheVolume(String serviceId) {
        return "slipway-cache-" + serviceId;
    }

    /** Removes the cache volume of a service that is gone. */
    static void dropCache(DockerClient docker, String serviceId) {
        try {
            docker.removeVolumeCmd(cacheVolume(serviceId)).exec();
        } catch (RuntimeException e) {
            // never made, or gone
        }
    }

    /**
     * Builds {@code context} on {@code baseImage} into {@code tag}; returns the image id.
     *
     * @param hostNetwork whether the build runs on the host's network (an engine without a bridge network)
     * @param labels      the build container's labels (its owner, so that a crash leaves no container behind)
     */
    static String build(DockerClient docker, Path context, String baseImage, BuildPlan plan, String serviceId, String tag,
                        boolean hostNetwork, Map<String, String> labels, BuildListener listener) throws BuildFailedException {
        List<Command> commands = commands(plan);
        String source = "/tmp/" + context.getFileName();
        writeSteps(context, plan, commands);
        HostConfig host = HostConfig.newHostConfig().withBinds(new Bind(cacheVolume(serviceId), new Volume(CACHE)));
        if (hostNetwork) {
            host.withNetworkMode("host");
        }
        String id;
        try {
            id = docker.createContainerCmd(baseImage).withWorkingDir("/app").withLabels(labels).withHostConfig(host)
                    .withCmd("sh", "-c", "cp -a " + source + "/. /app && rm -rf " + source + " && exec sh /app/" + STEPS + "/run.sh")
                    .exec().getId();
        } catch (DockerException e) {
            throw new BuildFailedException("cannot start a build on " + baseImage + ": " + DockerImages.firstLine(e.getMessage())
                    + " (is the base image on the engine? docker pull " + baseImage + ")", e);
        }
        try {
            docker.copyArchiveToContainerCmd(id).withHostResource(context.toString()).withRemotePath("/tmp").exec();
            docker.startContainerCmd(id).exec();
            AtomicInteger step = new AtomicInteger();
            ResultCallback.Adapter<?> output = docker.logContainerCmd(id).withFollowStream(true).withStdOut(true).withStdErr(true)
                    .exec(new FrameLines(line -> {
                        if (line.startsWith(MARKER)) {
                            int i = Integer.parseInt(line.substring(MARKER.length()).trim());
                            step.set(i);
                            Command c = commands.get(i - 1);
                            listener.progress(c.phase() + ": " + c.command(), i, commands.size());
                            listener.output("[" + c.phase() + "] $ " + c.command());
                        } else {
                            listener.output(line);
                        }
                    }));
            int code = docker.waitContainerCmd(id).start().awaitStatusCode();
            output.awaitCompletion(5, java.util.concurrent.TimeUnit.SECONDS);
            if (code != 0) {
                Command c = commands.get(Math.max(1, step.get()) - 1);
                throw new BuildFailedException("the " + c.phase() + " command '" + c.command() + "' exited with code " + code
                        + "; its output is in the deployment log above");
            }
            int slash = tag.lastIndexOf(':');
            docker.commitCmd(id).withRepository(tag.substring(0, slash)).withTag(tag.substring(slash + 1))
                    .withCmd("sh", "-c", plan.startCommand()).withWorkingDir("/app")
                    .withExposedPorts(new ExposedPorts(ExposedPort.tcp(plan.port()))).exec();
            return docker.inspectImageCmd(tag).exec().getId();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildCancelledException("the image build was cancelled");
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new BuildCancelledException("the image build was cancelled");
            }
            throw new BuildFailedException("the image build failed: " + DockerImages.firstLine(String.valueOf(e.getMessage())), e);
        } finally {
            try {
                docker.removeContainerCmd(id).withForce(true).exec();
            } catch (RuntimeException e) {
                // gone already
            }
        }
    }

    /** Writes each command's script (the build env and the caches' settings first) and the script that runs them in turn. */
    private static void writeSteps(Path context, BuildPlan plan, List<Command> commands) {
        try {
            Path steps = Files.createDirectories(context.resolve(STEPS));
            StringBuilder env = new StringBuilder("set -e\n");
            CACHES.forEach((k, v) -> env.append("export ").append(k).append("=\"").append(v)
                    .append(k.equals("MAVEN_OPTS") ? " ${MAVEN_OPTS:-}" : "").append("\"\n"));
            plan.buildEnv().forEach((k, v) -> env.append("export ").append(k).append("='").append(v.replace("'", "'\\''")).append("'\n"));
            StringBuilder run = new StringBuilder("set -e\ncd /app\n");
            for (int i = 0; i < commands.size(); i++) {
                String script = (i + 1) + "-" + commands.get(i).phase() + ".sh";
                Files.writeString(steps.resolve(script), env + commands.get(i).command() + "\n");
                run.append("echo '").append(MARKER).append(i + 1).append("'\nsh /app/").append(STEPS).append('/').append(script).append('\n');
            }
            Files.writeString(steps.resolve("run.sh"), run.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
