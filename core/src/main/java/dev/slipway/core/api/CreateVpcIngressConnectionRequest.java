package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of CreateVpcIngressConnection. */
public record CreateVpcIngressConnectionRequest(String serviceArn, String vpcIngressConnectionName, IngressVpcConfiguration ingressVpcConfiguration, List<Tag> tags) {
}
