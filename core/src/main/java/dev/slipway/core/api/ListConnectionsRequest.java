package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of ListConnections. */
public record ListConnectionsRequest(String connectionName, Integer maxResults, String nextToken) {
}
