package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Output of ListServices; nextToken is null on the last page. */
public record ListServicesResponse(List<ServiceSummary> serviceSummaryList, String nextToken) {
}
