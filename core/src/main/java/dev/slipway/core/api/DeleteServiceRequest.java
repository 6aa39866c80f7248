package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of DeleteService. */
public record DeleteServiceRequest(String serviceArn) {
}
