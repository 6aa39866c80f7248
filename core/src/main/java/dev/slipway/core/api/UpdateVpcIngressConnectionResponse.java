package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Output of UpdateVpcIngressConnection: PENDING_UPDATE. */
public record UpdateVpcIngressConnectionResponse(VpcIngressConnection vpcIngressConnection) {
}
