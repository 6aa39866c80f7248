package dev.slipway.core.model;

/** The status of a service, as the API model's ServiceStatus enum names it. */
public enum ServiceStatus { CREATE_FAILED, RUNNING, DELETED, DELETE_FAILED, PAUSED, OPERATION_IN_PROGRESS }
