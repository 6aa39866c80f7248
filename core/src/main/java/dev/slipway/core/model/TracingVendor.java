package dev.slipway.core.model;

/** Who traces: the model's only vendor, AWSXRAY (Slipway's router traces with OpenTelemetry, X-Ray's ids included). */
public enum TracingVendor { AWSXRAY }
