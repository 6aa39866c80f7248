package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of CreateVpcConnector: Subnets required, SecurityGroups optional. */
public record CreateVpcConnectorRequest(String vpcConnectorName, List<String> subnets, List<String> securityGroups, List<Tag> tags) {
}
