package dev.slipway.core.model;

/** Where a code service's build and run settings come from: apprunner.yaml in the repository, or the API request. */
public enum ConfigurationSource { REPOSITORY, API }
