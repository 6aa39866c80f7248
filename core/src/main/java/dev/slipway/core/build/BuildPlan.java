package dev.slipway.core.build;

import dev.slipway.core.model.Runtime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What to build and how to run it, resolved from apprunner.yaml (ConfigurationSource REPOSITORY) or from the API's
 * CodeConfigurationValues (ConfigurationSource API).
 *
 * @param port    the port the application listens on inside an isolated instance (default 8080); backends that
 *                share the host network assign their own and pass it in {@code PORT}
 * @param portEnv an extra environment variable that also receives the port (apprunner.yaml {@code network.env})
 * @param preRunCommands apprunner.yaml's {@code run.pre-run}: commands that prepare what the app runs in, after the
 *                build (App Runner runs them on its run image); they run last in the build, once per deployment
 * @param http2   the app speaks HTTP/2 cleartext on its port (apprunner.yaml {@code slipway.http2}, a Slipway extension
 *                App Runner does not have): the router speaks HTTP/2 to its instances, as gRPC needs
 */
public record BuildPlan(Runtime runtime, Optional<String> runtimeVersion, List<String> preBuildCommands,
                        List<String> buildCommands, List<String> postBuildCommands, Map<String, String> buildEnv,
                        String startCommand, int port, Optional<String> portEnv, Map<String, String> runEnv,
                        Map<String, String> runSecrets, List<String> preRunCommands, boolean http2) {
    public static final int DEFAULT_PORT = 8080;

    public BuildPlan {
        preRunCommands = List.copyOf(preRunCommands);
    }

    /** A plan for an app that speaks HTTP/1.1. */
    public BuildPlan(Runtime runtime, Optional<String> runtimeVersion, List<String> preBuildCommands,
                     List<String> buildCommands, List<String> postBuildCommands, Map<String, String> buildEnv,
                     String startCommand, int port, Optional<String> portEnv, Map<String, String> runEnv,
                     Map<String, String> runSecrets, List<String> preRunCommands) {
        this(runtime, runtimeVersion, preBuildCommands, buildCommands, postBuildCommands, buildEnv, startCommand, port,
                portEnv, runEnv, runSecrets, preRunCommands, false);
    }

    /** A plan without pre-run commands. */
    public BuildPlan(Runtime runtime, Optional<String> runtimeVersion, List<String> preBuildCommands,
                     List<String> buildCommands, List<String> postBuildCommands, Map<String, String> buildEnv,
                     String startCommand, int port, Optional<String> portEnv, Map<String, String> runEnv,
                     Map<String, String> runSecrets) {
        this(runtime, runtimeVersion, preBuildCommands, buildCommands, postBuildCommands, buildEnv, startCommand, port,
                portEnv, runEnv, runSecrets, List.of());
    }

    /** All commands a deployment runs before the app, in the order they run: pre-build, build, post-build, pre-run. */
    public List<String> allBuildCommands() {
        return java.util.stream.Stream.of(preBuildCommands, buildCommands, postBuildCommands, preRunCommands)
                .flatMap(List::stream).toList();
    }

    /** The phases and commands a deployment runs before the app, in order: {@code [phase, command]} pairs. */
    public List<Map.Entry<String, String>> phases() {
        List<Map.Entry<String, String>> all = new java.util.ArrayList<>();
        preBuildCommands.forEach(c -> all.add(Map.entry("pre-build", c)));
        buildCommands.forEach(c -> all.add(Map.entry("build", c)));
        postBuildCommands.forEach(c -> all.add(Map.entry("post-build", c)));
        preRunCommands.forEach(c -> all.add(Map.entry("pre-run", c)));
        return List.copyOf(all);
    }
}
