package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Output of ListOperations, newest first. */
public record ListOperationsResponse(List<OperationSummary> operationSummaryList, String nextToken) {
}
