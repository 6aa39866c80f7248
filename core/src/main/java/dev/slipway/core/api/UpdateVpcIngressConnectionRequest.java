package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of UpdateVpcIngressConnection. */
public record UpdateVpcIngressConnectionRequest(String vpcIngressConnectionArn, IngressVpcConfiguration ingressVpcConfiguration) {
}
