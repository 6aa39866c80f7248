package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of DeleteConnection. */
public record DeleteConnectionRequest(String connectionArn) {
}
