package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Output of ListTagsForResource. */
public record ListTagsForResourceResponse(List<Tag> tags) {
}
