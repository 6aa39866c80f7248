package dev.slipway.core.internal.control;

import dev.slipway.core.InvalidRequestException;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.UpdateServiceRequest;
import dev.slipway.core.build.EnvironmentRules;
import dev.slipway.core.model.CodeConfiguration;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.ConfigurationSource;
import dev.slipway.core.model.HealthCheckConfiguration;
import dev.slipway.core.model.ImageConfiguration;
import dev.slipway.core.model.InstanceConfiguration;
import dev.slipway.core.model.NetworkConfiguration;
import dev.slipway.core.model.ServiceObservabilityConfiguration;
import dev.slipway.core.model.SourceConfiguration;
import dev.slipway.core.source.AppRunnerYaml;
import dev.slipway.core.spi.BackendCapabilities;
import dev.slipway.core.spi.Resources;
import dev.slipway.core.source.SourceFetcher;
import dev.slipway.core.source.SourceUrlPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Map;

/** A service's settings: App Runner's defaults for what a request leaves out, merging an update, and the checks the model cannot express. */
final class ServiceSpecs {
    private ServiceSpecs() {
    }

    /** The settings of a new service, defaults filled in. */
    static ServiceSpec forCreate(CreateServiceRequest r, String autoScalingArn, ServiceObservabilityConfiguration observability) {
        return new ServiceSpec(withDefaults(r.sourceConfiguration()),
                r.instanceConfiguration() != null ? merge(InstanceConfiguration.DEFAULT, r.instanceConfiguration()) : InstanceConfiguration.DEFAULT,
                (r.healthCheckConfiguration() != null ? r.healthCheckConfiguration() : HealthCheckConfiguration.DEFAULT).withDefaults(),
                r.networkConfiguration() != null ? r.networkConfiguration() : NetworkConfiguration.DEFAULT,
                observability != null ? observability : new ServiceObservabilityConfiguration(false, null),
                autoScalingArn);
    }

    /** The settings after an update: what the request sets replaces, the rest stays. */
    static ServiceSpec forUpdate(ServiceSpec old, UpdateServiceRequest r, String autoScalingArn,
                                 ServiceObservabilityConfiguration observability) {
        SourceConfiguration source = old.source();
        if (r.sourceConfiguration() != null) {
            source = withDefaults(merge(old.source(), r.sourceConfiguration()));
            if ((source.codeRepository() != null) != (old.source().codeRepository() != null)) {
                throw new InvalidRequestException("sourceConfiguration cannot switch a service between a code "
                        + "repository and an image repository; create a new service instead");
            }
        }
        return new ServiceSpec(source,
                r.instanceConfiguration() != null ? merge(old.instance(), r.instanceConfiguration()) : old.instance(),
                r.healthCheckConfiguration() != null ? r.healthCheckConfiguration().withDefaults() : old.health(),
                r.networkConfiguration() != null ? r.networkConfiguration() : old.network(),
                observability != null ? observability : old.observability(),
                autoScalingArn);
    }

    /** Checks a source beyond the model: exactly one repository, API values when asked for, what the backend can run. */
    static void checkSource(SourceConfiguration source, String field, String backendName, BackendCapabilities capabilities) {
        if ((source.codeRepository() == null) == (source.imageRepository() == null)) {
            throw new InvalidRequestException(field + " must have exactly one of codeRepository and imageRepository");
        }
        CodeRepository code = source.codeRepository();
        if (code == null) {
            ImageConfiguration ic = source.imageRepository().imageConfiguration();
            if (ic != null) {
                String at = field + ".imageRepository.imageConfiguration.";
                checkEnvironment(ic.runtimeEnvironmentVariables(), at + "runtimeEnvironmentVariables");
                checkEnvironment(ic.runtimeEnvironmentSecrets(), at + "runtimeEnvironmentSecrets");
            }
            if (!capabilities.images()) {
                throw new InvalidRequestException(field + ".imageRepository: the " + backendName
                        + " backend runs source code only; use a backend that runs container images (docker) or a codeRepository");
            }
            return;
        }
        if (!capabilities.sourceBuilds()) {
            throw new InvalidRequestException(field + ".codeRepository: the " + backendName
                    + " backend runs container images only; use an imageRepository");
        }
        CodeConfiguration cc = code.codeConfiguration();
        if (cc != null && cc.configurationSource() == ConfigurationSource.API && cc.codeConfigurationValues() == null) {
            throw new InvalidRequestException(field + ".codeRepository.codeConfiguration.codeConfigurationValues is "
                    + "required when configurationSource is API");
        }
        if (cc != null && cc.codeConfigurationValues() != null) {
            String at = field + ".codeRepository.codeConfiguration.codeConfigurationValues.";
            checkEnvironment(cc.codeConfigurationValues().runtimeEnvironmentVariables(), at + "runtimeEnvironmentVariables");
            checkEnvironment(cc.codeConfigurationValues().runtimeEnvironmentSecrets(), at + "runtimeEnvironmentSecrets");
        }
        if (cc != null && cc.codeConfigurationValues() != null && cc.codeConfigurationValues().port() != null) {
            try {
                AppRunnerYaml.parsePort(cc.codeConfigurationValues().port(), field + ".codeRepository.codeConfiguration.codeConfigurationValues.port ");
            } catch (RuntimeException e) {
                throw new InvalidRequestException(e.getMessage());
            }
        }
    }

    private static void checkEnvironment(Map<String, String> variables, String field) {
        EnvironmentRules.problem(variables).ifPresent(p -> {
            throw new InvalidRequestException(field + ": " + p);
        });
    }

    /**
     * Refuses a RepositoryUrl that is a local path ({@code file://} or a plain path) outside {@code allowed} (its real
     * path, symbolic links resolved); with no list, any local path is allowed.
     */
    static void checkLocalSource(SourceConfiguration source, String field, Optional<List<Path>> allowed) {
        if (source == null || source.codeRepository() == null || allowed.isEmpty()) {
            return;
        }
        Optional<Path> local;
        try {
            local = SourceFetcher.localPath(source.codeRepository().repositoryUrl());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(field + ".codeRepository.repositoryUrl is not a valid URL or path");
        }
        if (local.isEmpty()) {
            return;
        }
        Path path = real(local.get());
        if (allowed.get().stream().map(ServiceSpecs::real).noneMatch(path::startsWith)) {
            throw new InvalidRequestException(field + ".codeRepository.repositoryUrl: " + (allowed.get().isEmpty()
                    ? "this server reads no local directory" : "this server reads local directories only under "
                    + allowed.get().stream().map(Path::toString).collect(java.util.stream.Collectors.joining(", ")))
                    + "; use a Git URL, or start the server with --allow-source-dir DIR");
        }
    }

    /** Refuses a RepositoryUrl whose host {@code policy} refuses (a loopback address, say). */
    static void checkSourceUrl(SourceConfiguration source, String field, SourceUrlPolicy policy) {
        if (source == null || source.codeRepository() == null) {
            return;
        }
        policy.problem(source.codeRepository().repositoryUrl()).ifPresent(p -> {
            throw new InvalidRequestException(field + ".codeRepository.repositoryUrl: " + p);
        });
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (java.io.IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    /** CPU and memory of an InstanceConfiguration ("1024" or "1 vCPU", "2048" or "2 GB"), already valid per the model. */
    static Resources resources(InstanceConfiguration c) {
        return new Resources(units(c.cpu(), "vcpu", Resources.DEFAULT.cpuUnits()), units(c.memory(), "gb", Resources.DEFAULT.memoryMiB()));
    }

    private static int units(String value, String suffix, int fallback) {
        if (value == null) {
            return fallback;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.endsWith(suffix)) {
            return Math.round(Float.parseFloat(v.substring(0, v.length() - suffix.length()).trim()) * 1024);
        }
        return Integer.parseInt(v);
    }

    private static SourceConfiguration withDefaults(SourceConfiguration s) {
        return new SourceConfiguration(s.codeRepository(), s.imageRepository(),
                s.autoDeploymentsEnabled() != null ? s.autoDeploymentsEnabled() : Boolean.TRUE, s.authenticationConfiguration());
    }

    private static SourceConfiguration merge(SourceConfiguration old, SourceConfiguration update) {
        return new SourceConfiguration(
                update.codeRepository() != null ? update.codeRepository() : update.imageRepository() != null ? null : old.codeRepository(),
                update.imageRepository() != null ? update.imageRepository() : update.codeRepository() != null ? null : old.imageRepository(),
                update.autoDeploymentsEnabled() != null ? update.autoDeploymentsEnabled() : old.autoDeploymentsEnabled(),
                update.authenticationConfiguration() != null ? update.authenticationConfiguration() : old.authenticationConfiguration());
    }

    private static InstanceConfiguration merge(InstanceConfiguration old, InstanceConfiguration update) {
        return new InstanceConfiguration(
                update.cpu() != null ? update.cpu() : old.cpu(),
                update.memory() != null ? update.memory() : old.memory(),
                update.instanceRoleArn() != null ? update.instanceRoleArn() : old.instanceRoleArn());
    }
}
