package dev.slipway.core.internal.store;

import java.util.Map;

/** Tags of connections and auto scaling configurations, by ARN (document {@code tags}; a service keeps its own). */
public record StoredTags(Map<String, Map<String, String>> byArn) {
}
