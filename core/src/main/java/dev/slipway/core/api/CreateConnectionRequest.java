package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of CreateConnection. */
public record CreateConnectionRequest(String connectionName, ProviderType providerType, List<Tag> tags) {
}
