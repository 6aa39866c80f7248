package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of ListServices; both members optional. */
public record ListServicesRequest(Integer maxResults, String nextToken) {
}
