package dev.slipway.core.internal.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.core.events.AppRunnerEvent;
import dev.slipway.core.model.OperationStatus;
import dev.slipway.core.model.OperationSummary;
import dev.slipway.core.model.OperationType;
import dev.slipway.core.model.ServiceStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The guide's two messages of UpdateServiceCompletedSuccessfully: a new application and configuration, or a new configuration. */
class ServiceEventsTest {
    private static final String ARN = "arn:aws:apprunner:us-east-1:000000000000:service/web/0123456789abcdef";

    @Test
    void anUpdateSaysWhetherItDeployedANewApplicationOrOnlyANewConfiguration() {
        assertThat(updateEnded(true)).isEqualTo("Service update completed successfully. New application and configuration is deployed.");
        assertThat(updateEnded(false)).isEqualTo("Service update completed successfully. New configuration is deployed.");
    }

    private static String updateEnded(boolean newApplication) {
        Instant t = Instant.now();
        OperationSummary started = new OperationSummary("op-1", OperationType.UPDATE_SERVICE, OperationStatus.IN_PROGRESS, ARN, t, null, t);
        OperationSummary ended = new OperationSummary("op-1", OperationType.UPDATE_SERVICE, OperationStatus.SUCCEEDED, ARN, t, t, t);
        ServiceEvents.State before = new ServiceEvents.State("web", "0123456789abcdef", ARN, ServiceStatus.OPERATION_IN_PROGRESS,
                List.of(started), List.of(), newApplication);
        ServiceEvents.State after = new ServiceEvents.State("web", "0123456789abcdef", ARN, ServiceStatus.RUNNING, List.of(ended),
                List.of(), false);
        List<AppRunnerEvent> events = ServiceEvents.of(Optional.of(before), Optional.of(after), "000000000000", "us-east-1", t);
        return events.stream().filter(e -> "UpdateServiceCompletedSuccessfully".equals(e.detail().get("Status"))).findFirst()
                .orElseThrow().detail().get("Message");
    }
}
