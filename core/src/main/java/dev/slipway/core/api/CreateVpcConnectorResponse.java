package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Output of CreateVpcConnector: the new revision, ACTIVE. */
public record CreateVpcConnectorResponse(VpcConnector vpcConnector) {
}
