package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of DescribeVpcIngressConnection. */
public record DescribeVpcIngressConnectionRequest(String vpcIngressConnectionArn) {
}
