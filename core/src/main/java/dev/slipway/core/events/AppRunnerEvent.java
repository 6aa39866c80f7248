package dev.slipway.core.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An event as App Runner sends it to EventBridge (the guide's "Handling App Runner events in EventBridge"): the
 * envelope ({@code version}, {@code id}, {@code detail-type}, {@code source} {@code aws.apprunner}, {@code account},
 * {@code time}, {@code region}, {@code resources}) and the {@code detail} of a "Service Status Change"
 * ({@code PreviousStatus}, {@code CurrentStatus}) or a "Service Operation Status Change" ({@code Status}), with
 * {@code ServiceName}, {@code ServiceId}, {@code Message} and {@code Severity}.
 */
@JsonPropertyOrder({"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"})
public record AppRunnerEvent(String version, String id, @JsonProperty("detail-type") String detailType, String source,
                             String account, String time, String region, List<String> resources, Map<String, String> detail) {
    public static final String SERVICE_STATUS_CHANGE = "Service Status Change";
    public static final String OPERATION_STATUS_CHANGE = "Service Operation Status Change";
    public static final String SOURCE = "aws.apprunner";
    /** The source of Slipway's own events, for what App Runner leaves implicit (scaling, certificates, rollbacks). */
    public static final String SLIPWAY_SOURCE = "slipway";
    public static final String SERVICE_SCALED = "Slipway Service Scaled";
    public static final String CERTIFICATE_STATUS_CHANGE = "Slipway Certificate Status Change";
    public static final String DEPLOYMENT_ROLLED_BACK = "Slipway Deployment Rolled Back";
    public static final String INSTANCE_REPLACED = "Slipway Instance Replaced";
    private static final ObjectMapper JSON = new ObjectMapper();

    public AppRunnerEvent {
        resources = List.copyOf(resources);
        detail = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(detail));
    }

    /** A new event (a new id) of App Runner's about the service {@code serviceArn}. */
    public static AppRunnerEvent of(String detailType, String account, String region, Instant time, String serviceArn,
                                    Map<String, String> detail) {
        return of(SOURCE, detailType, account, region, time, serviceArn, detail);
    }

    /** A new event (a new id) from {@code source} about the service {@code serviceArn}. */
    public static AppRunnerEvent of(String source, String detailType, String account, String region, Instant time,
                                    String serviceArn, Map<String, String> detail) {
        return new AppRunnerEvent("0", java.util.UUID.randomUUID().toString(), detailType, source, account,
                time.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(), region, List.of(serviceArn), detail);
    }

    /** The event as EventBridge's JSON. */
    public JsonNode toJson() {
        return JSON.valueToTree(this);
    }
}
