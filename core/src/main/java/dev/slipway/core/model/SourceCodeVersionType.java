package dev.slipway.core.model;

/** How a source code version is named. */
public enum SourceCodeVersionType { BRANCH }
