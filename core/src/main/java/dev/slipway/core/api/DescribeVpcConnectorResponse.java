package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Output of DescribeVpcConnector. */
public record DescribeVpcConnectorResponse(VpcConnector vpcConnector) {
}
