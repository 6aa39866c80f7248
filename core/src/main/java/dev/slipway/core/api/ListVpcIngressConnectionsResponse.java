package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Output of ListVpcIngressConnections. */
public record ListVpcIngressConnectionsResponse(List<VpcIngressConnectionSummary> vpcIngressConnectionSummaryList, String nextToken) {
}
