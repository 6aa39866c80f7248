package dev.slipway.core.spi;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One instance to start, named by its owner labels: which control plane, service and revision it belongs to. A
 * backend puts {@link #labels()} on whatever it creates (process registry entry, container labels, pod labels), so
 * that {@link ComputeBackend#adopt} finds it again after a restart.
 */
public record InstanceSpec(String controlPlaneId, String serviceArn, String serviceName, String revisionId,
                           String instanceId) {
    public static final String CONTROL_PLANE = "slipway.dev/control-plane";
    public static final String SERVICE_ARN = "slipway.dev/service-arn";
    public static final String SERVICE_NAME = "slipway.dev/service";
    public static final String REVISION = "slipway.dev/revision";
    public static final String INSTANCE = "slipway.dev/instance";

    /** The owner labels, keyed as above. */
    public Map<String, String> labels() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(CONTROL_PLANE, controlPlaneId);
        m.put(SERVICE_ARN, serviceArn);
        m.put(SERVICE_NAME, serviceName);
        m.put(REVISION, revisionId);
        m.put(INSTANCE, instanceId);
        return m;
    }

    /** Reads owner labels back, as {@link #labels()} wrote them. */
    public static InstanceSpec fromLabels(Map<String, String> labels) {
        return new InstanceSpec(labels.get(CONTROL_PLANE), labels.get(SERVICE_ARN), labels.get(SERVICE_NAME),
                labels.get(REVISION), labels.get(INSTANCE));
    }
}
