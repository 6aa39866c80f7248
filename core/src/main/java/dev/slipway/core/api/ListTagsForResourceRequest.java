package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of ListTagsForResource. */
public record ListTagsForResourceRequest(String resourceArn) {
}
