package dev.slipway.core.model;

import java.time.Instant;

/** A service as ListServices shows it. */
public record ServiceSummary(String serviceName, String serviceId, String serviceArn, String serviceUrl,
                             Instant createdAt, Instant updatedAt, ServiceStatus status) {
    public static ServiceSummary of(Service s) {
        return new ServiceSummary(s.serviceName(), s.serviceId(), s.serviceArn(), s.serviceUrl(), s.createdAt(),
                s.updatedAt(), s.status());
    }
}
