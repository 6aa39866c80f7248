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
 */
public record BuildPlan(Runtime runtime, Optional<String> runtimeVersion, List<String> preBuildCommands,
                        List<String> buildCommands, List<String> postBuildCommands, Map<String, String> buildEnv,
                        String startCommand, int port, Optional<String> portEnv, Map<String, String> runEnv,
                        Map<String, String> runSecrets) {
    public static final int DEFAULT_PORT = 8080;

    /** All build commands in the order they run: pre-build, build, post-build. */
    public List<String> allBuildCommands() {
        return java.util.stream.Stream.of(preBuildCommands, buildCommands, postBuildCommands)
                .flatMap(List::stream).toList();
    }
}
