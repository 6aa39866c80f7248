package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Output of CreateConnection. */
public record CreateConnectionResponse(Connection connection) {
}
