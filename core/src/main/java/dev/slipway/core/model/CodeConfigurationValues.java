package dev.slipway.core.model;

import java.util.Map;

/** Build and run settings given through the API (ConfigurationSource API). Null members are unset. */
public record CodeConfigurationValues(Runtime runtime, String buildCommand, String startCommand, String port,
                                      Map<String, String> runtimeEnvironmentVariables,
                                      Map<String, String> runtimeEnvironmentSecrets) {
}
