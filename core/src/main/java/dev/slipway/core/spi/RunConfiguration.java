package dev.slipway.core.spi;

import java.util.Map;
import java.util.Optional;

/**
 * What an instance of a revision runs.
 *
 * @param startCommand the command, run with {@code sh -c}; empty for an image's own entry point
 * @param port         the port the application listens on where it has a network of its own (container, pod);
 *                     backends that share the host network choose a free port instead
 * @param portEnv      an extra environment variable that also receives the port (apprunner.yaml {@code network.env})
 * @param env          environment variables, as RuntimeEnvironmentVariables
 * @param secrets      environment variables whose values are secret (RuntimeEnvironmentSecrets): never logged
 * @param resources    CPU and memory of each instance
 * @param egress       the networks and egress rules of the service's VPC connector ({@link Egress#DEFAULT}: none)
 */
public record RunConfiguration(Optional<String> startCommand, int port, Optional<String> portEnv, Map<String, String> env,
                               Map<String, String> secrets, Resources resources, Egress egress) {
    public RunConfiguration {
        env = Map.copyOf(env);
        secrets = Map.copyOf(secrets);
        egress = egress == null ? Egress.DEFAULT : egress;
    }

    /** A run configuration with the default egress. */
    public RunConfiguration(Optional<String> startCommand, int port, Optional<String> portEnv, Map<String, String> env,
                            Map<String, String> secrets, Resources resources) {
        this(startCommand, port, portEnv, env, secrets, resources, Egress.DEFAULT);
    }

    /** Every variable the application sees beside PORT: the environment, then the secrets. */
    public Map<String, String> environment() {
        Map<String, String> all = new java.util.LinkedHashMap<>(env);
        all.putAll(secrets);
        return all;
    }

    /**
     * This configuration with {@code instance} (an instance role's credentials variables, {@link InstanceCredentials})
     * among its secrets instead of those it had.
     */
    public RunConfiguration withInstanceCredentials(Map<String, String> instance) {
        Map<String, String> next = new java.util.LinkedHashMap<>(secrets);
        next.keySet().removeAll(InstanceCredentials.NAMES);
        next.putAll(instance);
        return new RunConfiguration(startCommand, port, portEnv, env, next, resources, egress);
    }

    public RunConfiguration withResources(Resources r) {
        return new RunConfiguration(startCommand, port, portEnv, env, secrets, r, egress);
    }

    public RunConfiguration withEgress(Egress e) {
        return new RunConfiguration(startCommand, port, portEnv, env, secrets, resources, e);
    }
}
