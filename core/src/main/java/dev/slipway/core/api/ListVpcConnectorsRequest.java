package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of ListVpcConnectors. */
public record ListVpcConnectorsRequest(Integer maxResults, String nextToken) {
}
