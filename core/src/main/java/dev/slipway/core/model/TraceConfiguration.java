package dev.slipway.core.model;

/** The tracing feature of an observability configuration. */
public record TraceConfiguration(TracingVendor vendor) {
}
