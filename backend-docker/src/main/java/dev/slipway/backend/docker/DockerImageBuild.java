package dev.slipway.backend.docker;

import com.github.dockerjava.api.DockerClient;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.BuildResponseItem;
import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.build.BuildPlan;
import dev.slipway.core.spi.BuildCancelledException;
import dev.slipway.core.spi.BuildListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds a source revision into an image through the engine: a Dockerfile written from the build plan (FROM the
 * runtime's base image; each pre-build, build and post-build command a RUN step of its own, with the build env; the
 * start command as CMD), the source as the build context, the engine's output streamed as build lines, one tag per
 * revision ({@code slipway/<service-id>:<revision-id>}). Every deployment builds afresh (no layer cache), as a
 * deployment's build log must show its commands' output; the base image is never pulled by the build.
 */
final class DockerImageBuild {
    static final String DOCKERFILE = ".slipway.Dockerfile";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STEP = Pattern.compile("^Step \\d+/\\d+ : RUN .*" + "\\.slipway-steps/(\\d+)-");
    private static final Pattern FAILED_STEP = Pattern.compile("\\.slipway-steps/(\\d+)-[a-z-]+\\.sh.* returned a non-zero code: (\\d+)");
    private static final String STEPS = ".slipway-steps";
    /** The classic builder's line naming the image a step made. */
    private static final Pattern LAYER = Pattern.compile("^ ---> ([0-9a-f]{12})$");

    private DockerImageBuild() {
    }

    /** A build command as a RUN step: its phase (pre-build, build, post-build, pre-run) and the command. */
    record Command(String phase, String command) {
    }

    /** The build commands of {@code plan} in the order they run. */
    static List<Command> commands(BuildPlan plan) {
        return plan.phases().stream().map(e -> new Command(e.getKey(), e.getValue())).toList();
    }

    /** Writes the Dockerfile and step scripts into {@code context}; returns the Dockerfile. */
    static Path write(Path context, String baseImage, BuildPlan plan) {
        try {
            Path steps = Files.createDirectories(context.resolve(STEPS));
            StringBuilder env = new StringBuilder("set -e\n");
            plan.buildEnv().forEach((k, v) -> env.append("export ").append(k).append("='").append(v.replace("'", "'\\''")).append("'\n"));
            StringBuilder dockerfile = new StringBuilder("FROM ").append(baseImage).append("\nWORKDIR /app\nCOPY . /app\n");
            List<Command> commands = commands(plan);
            for (int i = 0; i < commands.size(); i++) {
                String script = (i + 1) + "-" + commands.get(i).phase() + ".sh";
                Files.writeString(steps.resolve(script), env + commands.get(i).command() + "\n");
                dockerfile.append("RUN [\"sh\", \"/app/").append(STEPS).append('/').append(script).append("\"]\n");
            }
            dockerfile.append("EXPOSE ").append(plan.port()).append('\n');
            dockerfile.append("CMD [\"sh\", \"-c\", ").append(JSON.writeValueAsString(plan.startCommand())).append("]\n");
            Path file = context.resolve(DOCKERFILE);
            Files.writeString(file, dockerfile.toString());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Builds {@code context} with {@code dockerfile} into {@code tag}; the engine's output goes to {@code listener}, and
     * each build command's RUN step is a progress event. A failed command is named with its exit code.
     */
    static String build(DockerClient docker, Path context, Path dockerfile, String tag, List<Command> commands,
                        BuildListener listener) throws BuildFailedException {
        String[] error = new String[1];
        List<String> layers = new java.util.concurrent.CopyOnWriteArrayList<>(); // the intermediate images, step by step
        boolean[] fromSeen = new boolean[1];
        try {
            return docker.buildImageCmd().withBaseDirectory(context.toFile()).withDockerfile(dockerfile.toFile())
                    .withTags(Set.of(tag)).withPull(false).withNoCache(true).withRemove(true).withForcerm(true)
                    .exec(new com.github.dockerjava.api.command.BuildImageResultCallback() {
                        private final StringBuilder partial = new StringBuilder();

                        @Override
                        public void onNext(BuildResponseItem item) {
                            if (item.getStream() != null) {
                                partial.append(item.getStream());
                                for (int nl; (nl = partial.indexOf("\n")) >= 0; ) {
                                    String line = partial.substring(0, nl);
                                    partial.delete(0, nl + 1);
                                    Matcher layer = LAYER.matcher(line);
                                    if (layer.matches() && fromSeen[0]) {
                                        layers.add(layer.group(1));
                                    }
                                    fromSeen[0] |= layer.matches(); // the first is the base image's: never ours
                                    Matcher step = STEP.matcher(line);
                                    if (step.find()) {
                                        int i = Integer.parseInt(step.group(1));
                                        Command c = commands.get(i - 1);
                                        listener.progress(c.phase() + ": " + c.command(), i, commands.size());
                                    }
                                    if (!line.isBlank()) {
                                        listener.output(line);
                                    }
                                }
                            }
                            if (item.getErrorDetail() != null) {
                                error[0] = item.getErrorDetail().getMessage();
                            }
                            super.onNext(item);
                        }
                    }).awaitImageId();
        } catch (RuntimeException e) {
            removeQuietly(docker, layers); // a failed build leaves no image behind
            if (Thread.currentThread().isInterrupted()) {
                throw new BuildCancelledException("the image build was cancelled");
            }
            String message = error[0] != null ? error[0] : String.valueOf(e.getMessage());
            Matcher failed = FAILED_STEP.matcher(message);
            if (failed.find()) {
                Command c = commands.get(Integer.parseInt(failed.group(1)) - 1);
                throw new BuildFailedException("the " + c.phase() + " command '" + c.command() + "' exited with code "
                        + failed.group(2) + "; its output is in the deployment log above", e);
            }
            throw new BuildFailedException("the image build failed: " + message, e);
        }
    }

    /** Removes the images a failed build made (the last first, so each is no one's parent any more when removed). */
    private static void removeQuietly(DockerClient docker, List<String> images) {
        for (int i = images.size() - 1; i >= 0; i--) {
            try {
                docker.removeImageCmd(images.get(i)).exec();
            } catch (RuntimeException e) {
                // in use, or gone: nothing else to do
            }
        }
    }
}
