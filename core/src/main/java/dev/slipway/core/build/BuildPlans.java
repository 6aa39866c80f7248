package dev.slipway.core.build;

import dev.slipway.core.model.CodeConfiguration;
import dev.slipway.core.model.CodeConfigurationValues;
import dev.slipway.core.model.ConfigurationSource;
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
                        + AppRunnerYaml.FILE_NAME + " at its root" + (Files.exists(sourceRoot.resolve("apprunner.yml"))
                        ? " (it has apprunner.yml: App Runner reads only apprunner.yaml, so rename it)" : "")
                        + "; add one (slipway init writes a first one), or set ConfigurationSource to API with "
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

    private static Map<String, String> orEmpty(Map<String, String> m) {
        return m == null ? Map.of() : m;
    }
}
