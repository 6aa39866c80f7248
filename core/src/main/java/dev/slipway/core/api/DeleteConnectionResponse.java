package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Output of DeleteConnection. */
public record DeleteConnectionResponse(Connection connection) {
}
