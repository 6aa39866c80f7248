package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of ListOperations. */
public record ListOperationsRequest(String serviceArn, Integer maxResults, String nextToken) {
}
