package dev.slipway.core.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.slipway.core.Operation;

/** Output of StartDeployment: the operation started, which {@link #operation()} can await. */
public record StartDeploymentResponse(String operationId, @JsonIgnore Operation operation) {
}
