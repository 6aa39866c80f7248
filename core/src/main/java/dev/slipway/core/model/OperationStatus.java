package dev.slipway.core.model;

/** The status of an asynchronous operation. */
public enum OperationStatus { PENDING, IN_PROGRESS, FAILED, SUCCEEDED, ROLLBACK_IN_PROGRESS, ROLLBACK_FAILED, ROLLBACK_SUCCEEDED }
