package dev.slipway.core.build;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Settings that win over a service's build plan, whichever way it was resolved (apprunner.yaml or the API's values):
 * extra run environment variables and the port. A Slipway extension for {@code slipway up --env/--port}; App Runner has
 * no such thing, so it is set on the engine ({@code SlipwayBuilder#planOverrides}), not through the API.
 */
public record PlanOverrides(Map<String, String> runEnv, Optional<Integer> port) {
    public static final PlanOverrides NONE = new PlanOverrides(Map.of(), Optional.empty());

    public PlanOverrides {
        EnvironmentRules.problem(runEnv).ifPresent(p -> {
            throw new IllegalArgumentException("environment overrides: " + p);
        });
        runEnv = Map.copyOf(runEnv);
        port.ifPresent(p -> {
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("port must be 1-65535, not " + p);
            }
        });
    }

    /** These, then {@code more} over them (its variables and port win). */
    public PlanOverrides and(PlanOverrides more) {
        if (more.isEmpty()) {
            return this;
        }
        Map<String, String> env = new LinkedHashMap<>(runEnv);
        env.putAll(more.runEnv);
        return new PlanOverrides(env, more.port.or(() -> port));
    }

    public boolean isEmpty() {
        return runEnv.isEmpty() && port.isEmpty();
    }

    /** {@code plan} with these variables added to (and replacing) its run environment, and this port. */
    public BuildPlan apply(BuildPlan plan) {
        if (isEmpty()) {
            return plan;
        }
        Map<String, String> env = new LinkedHashMap<>(plan.runEnv());
        env.putAll(runEnv);
        return new BuildPlan(plan.runtime(), plan.runtimeVersion(), plan.preBuildCommands(), plan.buildCommands(),
                plan.postBuildCommands(), plan.buildEnv(), plan.startCommand(), port.orElse(plan.port()), plan.portEnv(),
                Map.copyOf(env), plan.runSecrets(), plan.preRunCommands(), plan.http2());
    }

    /** What is overridden, for the deployment log: the port and the variable names, never their values. */
    public String describe() {
        return port.map(p -> "port " + p + (runEnv.isEmpty() ? "" : ", ")).orElse("")
                + (runEnv.isEmpty() ? "" : "environment " + String.join(", ", new java.util.TreeSet<>(runEnv.keySet())));
    }
}
