package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Output of DeleteVpcIngressConnection: PENDING_DELETION. */
public record DeleteVpcIngressConnectionResponse(VpcIngressConnection vpcIngressConnection) {
}
