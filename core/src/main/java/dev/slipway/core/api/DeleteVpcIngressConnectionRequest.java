package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of DeleteVpcIngressConnection. */
public record DeleteVpcIngressConnectionRequest(String vpcIngressConnectionArn) {
}
