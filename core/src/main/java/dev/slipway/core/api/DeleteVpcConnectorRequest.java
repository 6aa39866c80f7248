package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of DeleteVpcConnector. */
public record DeleteVpcConnectorRequest(String vpcConnectorArn) {
}
