package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of StartDeployment. */
public record StartDeploymentRequest(String serviceArn) {
}
