package dev.slipway.core.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.slipway.core.Operation;
import dev.slipway.core.model.Service;

/** Output of UpdateService: the service as it is now and the operation started, which {@link #operation()} can await. */
public record UpdateServiceResponse(Service service, String operationId, @JsonIgnore Operation operation) {
}
