package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Output of ListVpcConnectors: the active revisions. */
public record ListVpcConnectorsResponse(List<VpcConnector> vpcConnectors, String nextToken) {
}
