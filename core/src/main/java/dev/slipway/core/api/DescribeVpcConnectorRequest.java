package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of DescribeVpcConnector. */
public record DescribeVpcConnectorRequest(String vpcConnectorArn) {
}
