package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Output of DescribeService. */
public record DescribeServiceResponse(Service service) {
}
