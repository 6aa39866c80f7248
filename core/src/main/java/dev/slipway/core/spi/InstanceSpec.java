package dev.slipway.core.spi;

import java.util.Map;

/** One instance to start: its id and the environment beyond what the build plan says (run env, secrets). */
public record InstanceSpec(String serviceName, String instanceId, Map<String, String> env) {
}
