package dev.slipway.core.api;

import dev.slipway.core.model.*;
import java.util.List;

/** Input of ResumeService. */
public record ResumeServiceRequest(String serviceArn) {
}
