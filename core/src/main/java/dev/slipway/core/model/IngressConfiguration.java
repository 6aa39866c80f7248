package dev.slipway.core.model;

/** Inbound network settings. */
public record IngressConfiguration(Boolean isPubliclyAccessible) {
}
