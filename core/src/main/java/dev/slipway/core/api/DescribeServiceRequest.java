package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of DescribeService. */
public record DescribeServiceRequest(String serviceArn) {
}
