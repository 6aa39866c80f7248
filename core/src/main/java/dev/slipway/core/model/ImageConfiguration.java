package dev.slipway.core.model;

import java.util.Map;

/** Run settings of an image service. */
public record ImageConfiguration(Map<String, String> runtimeEnvironmentVariables,
                                 Map<String, String> runtimeEnvironmentSecrets, String startCommand, String port) {
}
