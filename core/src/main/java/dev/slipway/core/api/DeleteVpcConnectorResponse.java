package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Output of DeleteVpcConnector: the revision, now INACTIVE. */
public record DeleteVpcConnectorResponse(VpcConnector vpcConnector) {
}
