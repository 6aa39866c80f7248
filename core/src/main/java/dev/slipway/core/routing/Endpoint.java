package dev.slipway.core.routing;

/** An instance's HTTP endpoint. */
public record Endpoint(String instanceId, String host, int port) {
}
