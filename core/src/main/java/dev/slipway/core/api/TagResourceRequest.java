package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of TagResource. */
public record TagResourceRequest(String resourceArn, List<Tag> tags) {
}
