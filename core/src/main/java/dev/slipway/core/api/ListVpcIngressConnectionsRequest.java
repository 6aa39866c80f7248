package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of ListVpcIngressConnections. */
public record ListVpcIngressConnectionsRequest(ListVpcIngressConnectionsFilter filter, Integer maxResults, String nextToken) {
}
