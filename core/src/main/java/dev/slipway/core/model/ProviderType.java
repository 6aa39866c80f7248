package dev.slipway.core.model;

/** The repository provider of a connection. */
public enum ProviderType { GITHUB, BITBUCKET }
