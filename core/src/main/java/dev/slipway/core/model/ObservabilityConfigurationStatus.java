package dev.slipway.core.model;

/** The status of an observability configuration revision: INACTIVE once deleted. */
public enum ObservabilityConfigurationStatus { ACTIVE, INACTIVE }
