package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Output of ListConnections. */
public record ListConnectionsResponse(List<ConnectionSummary> connectionSummaryList, String nextToken) {
}
