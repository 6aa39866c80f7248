package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of UntagResource. */
public record UntagResourceRequest(String resourceArn, List<String> tagKeys) {
}
