package dev.slipway.core.build;

import dev.slipway.core.model.CodeConfiguration;
import dev.slipway.core.model.CodeConfigurationValues;
import dev.slipway.core.model.ConfigurationSource;
import dev.slipway.core.model.Runtime;
import dev.slipway.core.source.AppRunnerYaml;
import dev.slipway.core.source.ConfigurationFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Resolves the {@link BuildPlan} of a code service from its CodeConfiguration and its source. */
public final class BuildPlans {
    private BuildPlans() {
    }

    /**
     * ConfigurationSource REPOSITORY (or none) reads apprunner.yaml from {@code sourceRoot}; API uses the values and
     * ignores the file, as the guide says.
     */
    public static BuildPlan resolve(CodeConfiguration configuration, Path sourceRoot) throws BuildFailedException {
        if (configuration == null || configuration.configurationSource() == ConfigurationSource.REPOSITORY) {
            Path file = sourceRoot.resolve(AppRunnerYaml.FILE_NAME);
            if (!Files.isRegularFile(file)) {
                throw new BuildFailedException("ConfigurationSource is REPOSITORY but the source has no "
                        + AppRunnerYaml.FILE_NAME + " at its root; add one, or set ConfigurationSource to API with "
                        + "CodeConfigurationValues");
            }
            try {
                return AppRunnerYaml.parse(Files.readString(file));
            } catch (ConfigurationFileException e) {
                throw new BuildFailedException(e.getMessage(), e);
            } catch (IOException e) {
                throw new BuildFailedException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        return fromApi(configuration.codeConfigurationValues());
    }

    /** The plan given by CodeConfigurationValues (already validated against the model). */
    public static BuildPlan fromApi(CodeConfigurationValues v) throws BuildFailedException {
        if (v.startCommand() == null || v.startCommand().isBlank()) {
            throw new BuildFailedException("CodeConfigurationValues.StartCommand is required to run the service");
        }
        int port = BuildPlan.DEFAULT_PORT;
        if (v.port() != null && !v.port().isBlank()) {
            try {
                port = AppRunnerYaml.parsePort(v.port(), "CodeConfigurationValues.Port ");
            } catch (ConfigurationFileException e) {
                throw new BuildFailedException(e.getMessage());
            }
        }
        List<String> build = v.buildCommand() == null || v.buildCommand().isBlank() ? List.of() : List.of(v.buildCommand());
        return new BuildPlan(v.runtime(), Optional.empty(), List.of(), build, List.of(), Map.of(), v.startCommand(),
                port, Optional.empty(), orEmpty(v.runtimeEnvironmentVariables()), orEmpty(v.runtimeEnvironmentSecrets()));
    }

    /**
     * For a directory without apprunner.yaml (as {@code slipway up} takes it): package.json means nodejs18 with
     * {@code npm install} and {@code npm start}; requirements.txt, server.py, app.py or main.py mean python3.
     *
     * @throws ConfigurationFileException when nothing tells how to build the directory
     */
    public static CodeConfigurationValues guess(Path dir) {
        if (Files.isRegularFile(dir.resolve("package.json"))) {
            return values(Runtime.NODEJS_18, "npm install", "npm start");
        }
        String main = List.of("server.py", "app.py", "main.py").stream().filter(f -> Files.isRegularFile(dir.resolve(f)))
                .findFirst().orElse(null);
        if (Files.isRegularFile(dir.resolve("requirements.txt"))) {
            return values(Runtime.PYTHON_3, "pip install -r requirements.txt",
                    "python " + (main != null ? main : "app.py"));
        }
        if (main != null) {
            return values(Runtime.PYTHON_3, null, "python " + main);
        }
        throw new ConfigurationFileException(dir + " has no " + AppRunnerYaml.FILE_NAME
                + " and Slipway cannot guess how to build it; add an apprunner.yaml (see docs/user-guide.md)");
    }

    private static CodeConfigurationValues values(Runtime runtime, String build, String start) {
        return new CodeConfigurationValues(runtime, build, start, Integer.toString(BuildPlan.DEFAULT_PORT), null, null);
    }

    private static Map<String, String> orEmpty(Map<String, String> m) {
        return m == null ? Map.of() : m;
    }
}
