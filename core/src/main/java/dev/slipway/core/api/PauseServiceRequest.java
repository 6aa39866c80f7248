package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of PauseService. */
public record PauseServiceRequest(String serviceArn) {
}
