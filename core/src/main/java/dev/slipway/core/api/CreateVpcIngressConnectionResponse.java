package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Output of CreateVpcIngressConnection: PENDING_CREATION. */
public record CreateVpcIngressConnectionResponse(VpcIngressConnection vpcIngressConnection) {
}
