package dev.slipway.core.model;

/** The status of an auto scaling configuration revision. */
public enum AutoScalingConfigurationStatus { ACTIVE, INACTIVE }
