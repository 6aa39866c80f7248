package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Output of DescribeVpcIngressConnection. */
public record DescribeVpcIngressConnectionResponse(VpcIngressConnection vpcIngressConnection) {
}
